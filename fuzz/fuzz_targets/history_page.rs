//! Any body from the history endpoint: decoding a page never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use parley_shared::genesys::HistoryPage;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<HistoryPage>(data);
});
