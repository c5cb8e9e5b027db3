//! Validation tests for [`super::Config`]: flags only (the environment is not touched).

use super::*;

const DEPLOYMENT: &str = "3f2c1a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6";
const QUEUE: &str = "11111111-2222-4333-8444-555555555555";

fn parse(flags: &[&str]) -> Result<Config, ConfigError> {
    let args = Args::try_parse_from(std::iter::once("parley-server").chain(flags.iter().copied()))
        .expect("clap accepts the flags");
    Config::from_args(args)
}

fn error_of(flags: &[&str]) -> String {
    parse(flags)
        .expect_err("config should be refused")
        .to_string()
}

#[test]
fn defaults_to_the_emulator_on_localhost_8080() {
    let config = parse(&[]).unwrap();
    assert_eq!(config.backend, Backend::Emulator);
    assert_eq!(config.addr, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(config.dist, PathBuf::from("dist"));
    assert_eq!(config.grant_rate_per_minute, 30);
    assert!(config.genesys.is_none() && config.credentials.is_none());
    assert!(uuid::Uuid::parse_str(&config.deployment_id).is_ok());
    assert_eq!(config.deployment_id, emulator_deployment_id());
}

#[test]
fn genesys_backend_builds_endpoints_from_the_region() {
    let config = parse(&[
        "--backend=genesys",
        "--genesys-region=eu-central-1",
        "--genesys-deployment-id",
        DEPLOYMENT,
    ])
    .unwrap();
    let endpoints = config.genesys.unwrap();
    assert_eq!(
        endpoints.websocket_url(&config.deployment_id),
        format!("wss://webmessaging.mypurecloud.de/v1?deploymentId={DEPLOYMENT}")
    );
}

#[test]
fn genesys_backend_accepts_a_domain_instead_of_a_region() {
    let config = parse(&[
        "--backend=genesys",
        "--genesys-domain=mypurecloud.ie",
        "--genesys-deployment-id",
        DEPLOYMENT,
    ])
    .unwrap();
    assert_eq!(
        config.genesys.unwrap().api_base(),
        "https://api.mypurecloud.ie"
    );
}

#[test]
fn unknown_region_names_the_variable_and_lists_the_regions() {
    let error = error_of(&["--genesys-region=eu-mars-1"]);
    assert!(
        error.starts_with("GENESYS_REGION: unknown region 'eu-mars-1'"),
        "{error}"
    );
    assert!(error.contains("us-east-1"), "{error}");
}

#[test]
fn genesys_backend_requires_a_region_and_a_deployment() {
    let error = error_of(&["--backend=genesys", "--genesys-deployment-id", DEPLOYMENT]);
    assert!(error.starts_with("GENESYS_REGION:"), "{error}");
    let error = error_of(&["--backend=genesys", "--genesys-region=us-east-1"]);
    assert!(error.starts_with("GENESYS_DEPLOYMENT_ID:"), "{error}");
}

#[test]
fn conflicting_region_and_domain_are_refused() {
    let error = error_of(&[
        "--genesys-region=us-east-1",
        "--genesys-domain=mypurecloud.de",
    ]);
    assert!(error.starts_with("GENESYS_DOMAIN:"), "{error}");
}

#[test]
fn malformed_values_name_their_variable() {
    for (flags, variable) in [
        (&["--backend=cloud"][..], "PARLEY_BACKEND"),
        (&["--addr=localhost"], "PARLEY_ADDR"),
        (&["--genesys-domain=not a domain"], "GENESYS_DOMAIN"),
        (&["--genesys-deployment-id=abc"], "GENESYS_DEPLOYMENT_ID"),
        (
            &["--grant-rate-per-minute=lots"],
            "PARLEY_GRANT_RATE_PER_MINUTE",
        ),
        (
            &["--grant-rate-per-minute=-1"],
            "PARLEY_GRANT_RATE_PER_MINUTE",
        ),
        (
            &["--allowed-origins=https://x.example/path"],
            "PARLEY_ALLOWED_ORIGINS",
        ),
        (&["--public-url=chat.example.com"], "PARLEY_PUBLIC_URL"),
        (
            &["--trust-forwarded-for=maybe"],
            "PARLEY_TRUST_FORWARDED_FOR",
        ),
        (
            &["--emulator-deterministic=sometimes"],
            "PARLEY_EMULATOR_DETERMINISTIC",
        ),
        (
            &["--emulator-agent-delay-ms=1.5"],
            "PARLEY_EMULATOR_AGENT_DELAY_MS",
        ),
        (
            &["--emulator-session-ttl-secs=x"],
            "PARLEY_EMULATOR_SESSION_TTL_SECS",
        ),
    ] {
        let error = error_of(flags);
        assert!(
            error.starts_with(&format!("{variable}: ")),
            "{flags:?} gave {error}"
        );
    }
}

#[test]
fn client_id_and_secret_come_together() {
    let error = error_of(&["--genesys-client-id=abc"]);
    assert!(error.starts_with("GENESYS_CLIENT_SECRET:"), "{error}");
    let error = error_of(&["--genesys-client-secret=xyz"]);
    assert!(error.starts_with("GENESYS_CLIENT_ID:"), "{error}");
    let config = parse(&["--genesys-client-id=abc", "--genesys-client-secret=xyz"]).unwrap();
    assert_eq!(config.credentials.unwrap().client_id, "abc");
}

#[test]
fn queue_needs_oauth_credentials() {
    let error = error_of(&["--genesys-queue-id", QUEUE]);
    assert!(error.starts_with("GENESYS_QUEUE_ID:"), "{error}");
    let config = parse(&[
        "--genesys-queue-id",
        QUEUE,
        "--genesys-client-id=abc",
        "--genesys-client-secret=xyz",
    ])
    .unwrap();
    assert_eq!(config.queue_id.as_deref(), Some(QUEUE));
}

#[test]
fn debug_output_redacts_the_client_secret() {
    let config = parse(&[
        "--genesys-client-id=abc",
        "--genesys-client-secret=do-not-print-me",
    ])
    .unwrap();
    let shown = format!("{config:?}");
    assert!(!shown.contains("do-not-print-me"), "{shown}");
    assert!(shown.contains("[redacted]"));
}

#[test]
fn the_raw_arguments_do_not_show_the_secret_either() {
    let args = Args::try_parse_from([
        "parley-server",
        "--genesys-client-id=abc",
        "--genesys-client-secret=do-not-print-me",
    ])
    .unwrap();
    let shown = format!("{args:?}");
    assert!(!shown.contains("do-not-print-me"), "{shown}");
}

#[test]
fn the_secret_can_come_from_a_file() {
    let path = std::env::temp_dir().join(format!("parley-secret-{}", uuid::Uuid::new_v4()));
    std::fs::write(&path, "from-a-file\n").unwrap();
    let file_flag = format!("--genesys-client-secret-file={}", path.display());
    let config = parse(&["--genesys-client-id=abc", &file_flag]).unwrap();
    let credentials = config.credentials.unwrap();
    assert_eq!(credentials.client_secret.expose(), "from-a-file");
    let both = error_of(&[
        "--genesys-client-id=abc",
        "--genesys-client-secret=x",
        &file_flag,
    ]);
    assert!(both.starts_with("GENESYS_CLIENT_SECRET_FILE"), "{both}");
    std::fs::remove_file(&path).unwrap();
    let missing = error_of(&["--genesys-client-id=abc", &file_flag]);
    assert!(
        missing.starts_with("GENESYS_CLIENT_SECRET_FILE: cannot read"),
        "{missing}"
    );
}

#[test]
fn emulator_knobs_are_parsed() {
    let config = parse(&[
        "--emulator-deterministic=true",
        "--emulator-agent-delay-ms=250",
        "--emulator-session-ttl-secs=90",
        "--emulator-socket-idle-secs=0",
        "--emulator-history-metadata=off",
    ])
    .unwrap();
    assert_eq!(
        config.emulator,
        EmulatorSettings {
            deterministic: true,
            agent_reply_delay: Some(Duration::from_millis(250)),
            session_ttl: Some(Duration::from_secs(90)),
            socket_idle_timeout: None,
            strip_history_metadata: true,
            control_endpoints: true,
            deployment_config_overlay: None,
        }
    );
}

#[test]
fn history_keeps_metadata_unless_switched_off() {
    assert!(!parse(&[]).unwrap().emulator.strip_history_metadata);
    assert!(
        !parse(&["--emulator-history-metadata=on"])
            .unwrap()
            .emulator
            .strip_history_metadata
    );
    let error = error_of(&["--emulator-history-metadata=sometimes"]);
    assert!(
        error.starts_with("PARLEY_EMULATOR_HISTORY_METADATA: "),
        "{error}"
    );
}

/// Writes `contents` to a file of its own under the system temp folder.
fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("parley-config-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn emulator_deployment_config_file_is_read_as_an_overlay() {
    let path = temp_file(
        "overlay.json",
        r##"{"defaultLanguage": "de", "messenger": {"styles": {"primaryColor": "#ff0000"}}}"##,
    );
    let flag = format!("--emulator-deployment-config={}", path.display());
    let config = parse(&[&flag]).unwrap();
    assert_eq!(
        config.emulator.deployment_config_overlay,
        Some(serde_json::json!({
            "defaultLanguage": "de",
            "messenger": {"styles": {"primaryColor": "#ff0000"}}
        }))
    );
}

#[test]
fn bad_emulator_deployment_config_files_name_the_variable() {
    let missing = std::env::temp_dir().join("parley-no-such-file-1f2e3d.json");
    let not_json = temp_file("not-json.json", "{ messenger: ");
    let not_object = temp_file("array.json", "[1, 2]");
    for (path, problem) in [
        (missing, "cannot read"),
        (not_json, "is not valid JSON"),
        (not_object, "must hold a JSON object"),
    ] {
        let flag = format!("--emulator-deployment-config={}", path.display());
        let error = error_of(&[&flag]);
        assert!(
            error.starts_with("PARLEY_EMULATOR_DEPLOYMENT_CONFIG: "),
            "{error}"
        );
        assert!(error.contains(problem), "{error}");
    }
}

#[test]
fn emulator_control_is_off_behind_a_public_url_unless_enabled() {
    assert!(parse(&[]).unwrap().emulator.control_endpoints);
    let public = ["--public-url=https://chat.example.com"];
    assert!(!parse(&public).unwrap().emulator.control_endpoints);
    let enabled = parse(&[public[0], "--emulator-control=on"]).unwrap();
    assert!(enabled.emulator.control_endpoints);
    assert!(
        !parse(&["--emulator-control=off"])
            .unwrap()
            .emulator
            .control_endpoints
    );
    assert!(error_of(&["--emulator-control=maybe"]).starts_with("PARLEY_EMULATOR_CONTROL"));
}

#[test]
fn connection_limits_default_to_bounded_values_and_are_parsed() {
    let config = parse(&[]).unwrap();
    assert_eq!(config.limits, ConnectionLimits::default());
    assert_eq!(
        config.emulator.socket_idle_timeout,
        Some(Duration::from_secs(300)),
        "idle guest sockets are closed by default"
    );
    let config = parse(&[
        "--header-timeout-secs=3",
        "--request-timeout-secs=7",
        "--max-connections=50",
    ])
    .unwrap();
    assert_eq!(
        config.limits,
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(7),
            max_connections: 50,
        }
    );
    assert!(error_of(&["--max-connections=0"]).starts_with("PARLEY_MAX_CONNECTIONS"));
    assert!(error_of(&["--header-timeout-secs=0"]).starts_with("PARLEY_HEADER_TIMEOUT_SECS"));
}

#[test]
fn empty_values_count_as_unset() {
    let config = parse(&[
        "--genesys-region=",
        "--genesys-client-id=",
        "--genesys-client-secret=",
        "--allowed-origins=",
    ])
    .unwrap();
    assert!(config.genesys.is_none() && config.credentials.is_none());
    assert!(config.allowed_origins.is_none());
}
