"""Whether this process runs under `cargo xtask bench --isa avx2`'s CPUID mask (`cpuid_avx2.c`,
preloaded), for the peers' JSON: the harness refuses a peer's figures that claim AVX2 but were
measured on the real CPU."""

import ctypes


def cpuid_masked():
    """How many CPUID instructions the mask has answered in this process; None without it."""
    try:
        count = ctypes.CDLL(None).dlfs2_cpuid_masking
    except (OSError, AttributeError):
        return None
    count.restype = ctypes.c_long
    return count()
