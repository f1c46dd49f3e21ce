# Sourced by the local scripts: picks OpenBLAS's AVX-512 kernels where its CPU detection misses them.
# ND4J 1.0.0-M2 bundles OpenBLAS 0.3.19, which predates AMD Zen 4 and runs its AVX2 (Zen) kernels
# there although the CPU has AVX-512; its SkylakeX kernels need only AVX-512 F/BW/DQ/VL and run the
# LSTM's per-step products about 25% faster (docs/PERFORMANCE.md). Intel CPUs with AVX-512 get those
# kernels without help. An OPENBLAS_CORETYPE already set is left alone.
if [[ -z ${OPENBLAS_CORETYPE:-} && -r /proc/cpuinfo ]] && grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo; then
  flags="$(grep -m1 '^flags' /proc/cpuinfo) "
  if [[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512dq "* && $flags == *" avx512vl "* ]]; then
    export OPENBLAS_CORETYPE=SKYLAKEX
  fi
  unset flags
fi
