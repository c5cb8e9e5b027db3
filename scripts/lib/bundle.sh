# shellcheck shell=bash
# Builds the release bundle into dist/ as users get it: `trunk build --release` with the Rust
# standard library rebuilt for the browser so that a panic is a bare trap.
#
# Why: a release wasm built against the prebuilt std carries the panic machinery (messages,
# locations, `core::fmt` for them) even with `panic = "abort"` and no panic hook, and nobody can
# read it: a panicking window is dead either way. Rebuilding std (`-Zbuild-std`, from the
# `rust-src` component) with `-Cpanic=immediate-abort` drops it: −13.8 KB brotli of 236 KB
# (BENCHMARKS.md, "Opening the chat as served"). Both are unstable cargo/rustc features;
# RUSTC_BOOTSTRAP=1 lets the stable toolchain (1.95 here) use them for this one build, so no nightly
# is needed. Everything else (the dev loop `trunk serve`, tests, the server) builds as usual.
#
# Sourced by scripts/run and scripts/test; run directly it first installs what is missing:
#   bash scripts/lib/bundle.sh [trunk build options, e.g. --dist /tmp/dist]

# The size settings, in the environment of the trunk build only (a subshell). A toolchain that
# does not know them (another Rust release may rename an unstable flag) gets the ordinary bundle
# and a warning instead of no bundle at all.
parley_bundle() {
  if ! parley_size_flags_known; then
    printf 'warning: %s\n' "this Rust ($(rustc --version)) does not accept -Cpanic=immediate-abort:" \
      "building the ordinary release bundle, ~14 KB brotli larger (README, \"The release bundle\")" >&2
    trunk build --release "$@"
    return
  fi
  (
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$PARLEY_SIZE_RUSTFLAGS"
    trunk build --release "$@"
  )
}

PARLEY_SIZE_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"

# Whether rustc accepts the panic flag, asked of an empty crate (well under a second).
parley_size_flags_known() {
  local probe
  probe="$(mktemp)"
  # shellcheck disable=SC2086 # the flags are words
  printf '#![no_std]\n' | RUSTC_BOOTSTRAP=1 rustc --crate-type lib --crate-name parley_probe \
    --target wasm32-unknown-unknown $PARLEY_SIZE_RUSTFLAGS --emit metadata -o "$probe" - \
    >/dev/null 2>&1
  local known=$?
  rm -f "$probe"
  return "$known"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  source "$(dirname -- "${BASH_SOURCE[0]}")/ensure-tools.sh"
  cd "$PARLEY_ROOT"
  ensure_tools
  parley_bundle "$@"
fi
