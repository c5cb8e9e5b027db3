//! Pure rules of the window: the connection line and file sizes in words. (Which files may be
//! uploaded is the engine's rule, tested in parley-shared.)

use parley_frontend::i18n::Locale;
use parley_frontend::i18n::words::human_size;
use parley_frontend::status::ConnectionState;
use parley_shared::engine::{CloseReason, Phase};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn phases_map_to_the_contract_states() {
    let state = |phase: Phase| ConnectionState::of(&phase, true).as_str();
    assert_eq!(state(Phase::RequestingSession), "connecting");
    assert_eq!(state(Phase::Configuring), "configuring");
    assert_eq!(state(Phase::Ready), "ready");
    assert_eq!(
        state(Phase::Reconnecting { attempt: 1, at: 9 }),
        "reconnecting"
    );
    assert_eq!(state(Phase::Ended), "ended");
    assert_eq!(state(Phase::Expired), "expired");
    assert_eq!(state(Phase::Closed(CloseReason::GuestLeft)), "closed");
    let offline = ConnectionState::of(&Phase::Reconnecting { attempt: 1, at: 9 }, false);
    assert_eq!(offline.as_str(), "offline");
}

#[wasm_bindgen_test]
fn the_reconnect_countdown_rounds_up_to_whole_seconds() {
    let reconnecting = ConnectionState::Reconnecting { at: 10_000 };
    assert_eq!(reconnecting.label(Locale::En, 6_100), "Reconnecting in 4 s");
    assert_eq!(reconnecting.label(Locale::En, 10_000), "Reconnecting…");
    assert!(reconnecting.can_retry_now());
    assert_eq!(ConnectionState::Ready.label(Locale::En, 0), "Connected");
}

#[wasm_bindgen_test]
fn file_sizes_read_as_whole_or_tenths_of_units() {
    assert_eq!(human_size(512), "512 B");
    assert_eq!(human_size(102_400), "100 KB");
    assert_eq!(human_size(1_572_864), "1.5 MB");
    assert_eq!(human_size(2 * 1_048_576), "2 MB");
}
