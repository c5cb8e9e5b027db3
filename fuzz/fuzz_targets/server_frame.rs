//! Any bytes on the guest socket: decoding a server frame never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parley_shared::genesys::ServerFrame;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<ServerFrame>(data);
});
