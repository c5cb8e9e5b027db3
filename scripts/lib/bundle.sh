# shellcheck shell=bash
# Builds the release bundle into dist/ as users get it: `trunk build --release` with the Rust
# standard library rebuilt for the browser so that a panic is a bare trap.
#
# Why: a release wasm built against the prebuilt std carries the panic machinery (messages,
# locations, `core::fmt` for them) even with `panic = "abort"` and no panic hook, and nobody can
# read it: a panicking window is dead either way. Rebuilding std (`-Zbuild-std`, from the
# `rust-src` component) with `-Cpanic=immediate-abort` drops it: −13.8 KB brotli of 236 KB
# (BENCHMARKS.md, "Opening the chat as served"). Both are unstable cargo/rustc features;
# RUSTC_BOOTSTRAP=1 lets the pinned stable toolchain use them for this one build, so no nightly
# is needed. Everything else (the dev loop `trunk serve`, tests, the server) builds as usual.
#
# Sourced by scripts/run and scripts/test; run directly it first installs what is missing:
#   bash scripts/lib/bundle.sh [trunk build options, e.g. --dist /tmp/dist]

# The size settings, in the environment of the trunk build only (a subshell).
parley_bundle() {
  (
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
    trunk build --release "$@"
  )
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  source "$(dirname -- "${BASH_SOURCE[0]}")/ensure-tools.sh"
  cd "$PARLEY_ROOT"
  ensure_tools
  parley_bundle "$@"
fi
