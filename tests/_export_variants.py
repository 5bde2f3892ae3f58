"""Network variants that the C export's tests build, on the host
(test_export.py) and under QEMU (test_mcu.py)."""

#: Each exercises a path of the runtime; the plain C of the old single-file
#: export failed -O3 -Werror (-Warray-bounds) on (16,)/(4,) and lstm_hidden=64.
VARIANTS = [
    {"reduction": "last"},
    {"reduction": "mean"},
    {"bidirectional": False},
    {"conv_channels": (16,), "pool_sizes": (4,)},
    {"conv_channels": (8, 8, 8), "pool_sizes": (2, 1, 2), "kernel_size": 3},
    {"pool_sizes": (1, 1), "lstm_hidden": 5},
    # channel counts that are not multiples of the SSE2 kernels' 4 rows, an
    # odd pooling factor (the generic pair path), an odd number of units
    {"conv_channels": (6, 5), "pool_sizes": (3, 2), "lstm_hidden": 7},
    # one group of eight hidden units (vector cell) next to four single ones
    {"conv_channels": (8, 12), "lstm_hidden": 12, "reduction": "mean"},
    # long first-stage rows (int16 inputs): the kernels' int32 sums wrap
    # modulo 2^32 and are exact because the true sum fits
    {"conv_channels": (4, 4), "kernel_size": 45},
    {"conv_channels": (16, 16), "lstm_hidden": 64},
    {"conv_channels": (3,), "pool_sizes": (1,), "lstm_hidden": 1},
]
