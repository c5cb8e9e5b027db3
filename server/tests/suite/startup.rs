//! The real binary refuses to start on a bad `PARLEY_EMULATOR_DEPLOYMENT_CONFIG`, naming the
//! variable and exiting with status 2 like every configuration error.

use std::process::Command;

fn start_with_deployment_config(path: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_parley-server"))
        .env("PARLEY_ADDR", "127.0.0.1:0")
        .env("PARLEY_EMULATOR_DEPLOYMENT_CONFIG", path)
        .output()
        .expect("the server binary runs")
}

#[test]
fn a_deployment_config_that_is_not_json_stops_start_up_naming_the_variable() {
    let dir = std::env::temp_dir().join(format!("parley-startup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("deployment.json");
    std::fs::write(&path, "{ \"messenger\": ").unwrap();
    let output = start_with_deployment_config(&path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("PARLEY_EMULATOR_DEPLOYMENT_CONFIG: ")
            && stderr.contains("is not valid JSON"),
        "{stderr}"
    );
}

#[test]
fn a_missing_deployment_config_file_stops_start_up_naming_the_variable() {
    let path = std::env::temp_dir().join(format!("parley-missing-{}.json", uuid::Uuid::new_v4()));
    let output = start_with_deployment_config(&path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("PARLEY_EMULATOR_DEPLOYMENT_CONFIG: cannot read"),
        "{stderr}"
    );
}
