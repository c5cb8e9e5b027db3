//! Pure rules of the window: the connection line and the upload checks.
#![cfg(target_arch = "wasm32")]

use parley_frontend::driver::upload::{FileProblem, check_file, human_size};
use parley_frontend::i18n::Locale;
use parley_frontend::status::ConnectionState;
use parley_shared::engine::{CloseReason, Phase, SessionLimits};
use parley_shared::genesys::{AllowedMedia, AllowedMediaType, InboundMedia};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn phases_map_to_the_contract_states() {
    let state = |phase: Phase| ConnectionState::of(&phase, true, false).as_str();
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
    let offline = ConnectionState::of(&Phase::Reconnecting { attempt: 1, at: 9 }, false, false);
    assert_eq!(offline.as_str(), "offline");
    let ended = ConnectionState::of(&Phase::Closed(CloseReason::GuestLeft), true, true);
    assert_eq!(ended.as_str(), "ended");
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
fn files_are_checked_against_the_session_limits() {
    let limits = SessionLimits {
        allowed_media: Some(AllowedMedia {
            inbound: Some(InboundMedia {
                file_types: vec![AllowedMediaType {
                    mime_pattern: "image/*".into(),
                }],
                max_file_size_kb: Some(100),
            }),
        }),
        blocked_extensions: vec![".exe".into()],
        max_custom_data_bytes: None,
    };
    assert_eq!(check_file(&limits, "a.png", "image/png", 1_000), Ok(()));
    assert_eq!(
        check_file(&limits, "a.pdf", "application/pdf", 1_000),
        Err(FileProblem::TypeNotAllowed)
    );
    assert_eq!(
        check_file(&limits, "virus.EXE", "image/png", 10),
        Err(FileProblem::TypeNotAllowed)
    );
    assert_eq!(
        check_file(&limits, "big.png", "image/png", 200 * 1024),
        Err(FileProblem::TooLarge { max_bytes: 102_400 })
    );
    assert_eq!(
        check_file(&SessionLimits::default(), "x.bin", "", 1 << 30),
        Ok(())
    );
    assert_eq!(human_size(102_400), "100 KB");
    assert_eq!(human_size(1_572_864), "1.5 MB");
    assert_eq!(human_size(2 * 1_048_576), "2 MB");
}
