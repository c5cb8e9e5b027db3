//! The OAuth token cache and the availability lookup over real HTTP against a fake Genesys:
//! single flight (every waiter answered from one attempt, failures included), expiry with its
//! 60 s margin, 429 honoured, 5xx retried then reported and remembered for a few seconds, and
//! grants that are issued without availability when Genesys is sick.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{
    FakeGenesys, QUEUE_ID, TokenAnswer, config, fast_options, grant_request, json, send,
};
use base64::Engine;
use parley_server::availability::AvailabilityClient;
use parley_server::clock::ManualClock;
use parley_server::oauth::{
    ClientCredentials, FAILURE_REUSE, OAuthClient, OAuthError, RetryPolicy,
};
use parley_server::secret::Secret;
use parley_server::state::StateOptions;
use parley_server::{AppState, app};

fn oauth_client(fake: &FakeGenesys, clock: &ManualClock) -> OAuthClient {
    OAuthClient::new(
        reqwest::Client::new(),
        fake.token_url(),
        ClientCredentials {
            client_id: "client-a".into(),
            client_secret: Secret::new("secret-a"),
        },
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
        },
        clock.clock(),
    )
}

#[tokio::test]
async fn sends_basic_auth_and_caches_the_token() {
    let fake = FakeGenesys::start().await;
    let clock = ManualClock::new();
    let oauth = oauth_client(&fake, &clock);
    let first = oauth.access_token().await.unwrap();
    let second = oauth.access_token().await.unwrap();
    assert_eq!(first.expose(), "fake-token");
    assert_eq!(first, second);
    assert_eq!(fake.token_requests(), 1);
    let expected = base64::engine::general_purpose::STANDARD.encode("client-a:secret-a");
    assert_eq!(fake.authorizations(), [format!("Basic {expected}")]);
}

/// `callers` tasks ask `oauth` for a token at once while the fake holds its answers, which are
/// let through only once the first request reached it, so that every caller waits on that one
/// attempt. Their answers, each within 10 s.
async fn at_once(
    fake: &FakeGenesys,
    oauth: &Arc<OAuthClient>,
    callers: usize,
) -> Vec<Result<Secret, OAuthError>> {
    let gate = fake.hold_token_answers();
    let callers: Vec<_> = (0..callers)
        .map(|_| {
            let oauth = Arc::clone(oauth);
            tokio::spawn(async move { oauth.access_token().await })
        })
        .collect();
    fake.first_token_request().await;
    gate.add_permits(1000);
    let mut answers = Vec::new();
    for caller in callers {
        let answer = tokio::time::timeout(Duration::from_secs(10), caller)
            .await
            .expect("caller finishes")
            .expect("caller does not panic");
        answers.push(answer);
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_token_request() {
    let fake = FakeGenesys::start().await;
    let clock = ManualClock::new();
    let oauth = Arc::new(oauth_client(&fake, &clock));
    for answer in at_once(&fake, &oauth, 16).await {
        assert_eq!(answer.unwrap().expose(), "fake-token");
    }
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn refetches_sixty_seconds_before_expiry() {
    let fake = FakeGenesys::start().await;
    fake.script([
        TokenAnswer::Token("first", 120),
        TokenAnswer::Token("second", 120),
    ]);
    let clock = ManualClock::new();
    let oauth = oauth_client(&fake, &clock);
    assert_eq!(oauth.access_token().await.unwrap().expose(), "first");
    clock.advance(Duration::from_secs(59));
    assert_eq!(oauth.access_token().await.unwrap().expose(), "first");
    clock.advance(Duration::from_secs(1));
    assert_eq!(oauth.access_token().await.unwrap().expose(), "second");
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn a_lifetime_within_the_margin_is_never_reused() {
    let fake = FakeGenesys::start().await;
    fake.script([
        TokenAnswer::Token("short", 30),
        TokenAnswer::Token("short", 30),
    ]);
    let clock = ManualClock::new();
    let oauth = oauth_client(&fake, &clock);
    oauth.access_token().await.unwrap();
    oauth.access_token().await.unwrap();
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn honours_retry_after_on_429_without_asking_again_early() {
    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::TooMany(30)]);
    let clock = ManualClock::new();
    let oauth = oauth_client(&fake, &clock);
    let error = oauth.access_token().await.unwrap_err();
    assert!(
        matches!(error, OAuthError::RateLimited { retry_after } if retry_after == Duration::from_secs(30)),
        "{error:?}"
    );
    clock.advance(Duration::from_secs(29));
    let error = oauth.access_token().await.unwrap_err();
    assert!(
        matches!(error, OAuthError::RateLimited { retry_after } if retry_after == Duration::from_secs(1)),
        "{error:?}"
    );
    assert_eq!(
        fake.token_requests(),
        1,
        "no request inside the Retry-After window"
    );
    clock.advance(Duration::from_secs(1));
    assert_eq!(oauth.access_token().await.unwrap().expose(), "fake-token");
    assert_eq!(fake.token_requests(), 2);
}

#[tokio::test]
async fn retries_server_errors_then_succeeds() {
    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::Status(500), TokenAnswer::Status(503)]);
    let clock = ManualClock::new();
    let oauth = oauth_client(&fake, &clock);
    assert_eq!(oauth.access_token().await.unwrap().expose(), "fake-token");
    assert_eq!(fake.token_requests(), 3);
}

#[tokio::test]
async fn gives_up_after_the_bounded_attempts() {
    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::Status(500); 4]);
    let clock = ManualClock::new();
    let oauth = oauth_client(&fake, &clock);
    let error = oauth.access_token().await.unwrap_err();
    assert!(
        matches!(error, OAuthError::Unreachable { attempts: 3, .. }),
        "{error:?}"
    );
    assert_eq!(fake.token_requests(), 3);
}

#[tokio::test]
async fn refused_credentials_are_not_retried() {
    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::Status(401)]);
    let clock = ManualClock::new();
    let oauth = oauth_client(&fake, &clock);
    assert!(matches!(
        oauth.access_token().await,
        Err(OAuthError::Rejected(401))
    ));
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn availability_is_cached_for_its_ttl() {
    let fake = FakeGenesys::start().await;
    let clock = ManualClock::new();
    let availability = AvailabilityClient::new(
        reqwest::Client::new(),
        &format!("http://{}", fake.addr),
        QUEUE_ID,
        Arc::new(oauth_client(&fake, &clock)),
        Duration::from_secs(15),
        clock.clock(),
    );
    let first = availability.current().await.unwrap();
    assert_eq!(first.estimated_wait_seconds, Some(42));
    clock.advance(Duration::from_secs(14));
    availability.current().await.unwrap();
    assert_eq!(fake.wait_requests(), 1);
    clock.advance(Duration::from_secs(1));
    availability.current().await.unwrap();
    assert_eq!(fake.wait_requests(), 2);
    assert_eq!(fake.token_requests(), 1);
}

fn app_upstream_of(fake_or_closed: std::net::SocketAddr, clock: &ManualClock) -> axum::Router {
    let config = config(&[
        "--genesys-client-id=client-a",
        "--genesys-client-secret=secret-a",
        "--genesys-queue-id",
        QUEUE_ID,
    ]);
    // In emulator mode the upstream Genesys is "this server": pretending to be bound at the
    // fake's address points the OAuth and routing calls at the fake.
    app(AppState::with_options(
        &config,
        fake_or_closed,
        fast_options(clock.clock()),
    ))
}

#[tokio::test]
async fn grants_carry_the_estimated_wait() {
    let fake = FakeGenesys::start().await;
    let app = app_upstream_of(fake.addr, &ManualClock::new());
    let (status, _, body) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    assert_eq!(json(&body)["availability"]["estimatedWaitSeconds"], 42);
}

#[tokio::test]
async fn grant_is_issued_without_availability_after_token_retries_fail() {
    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::Status(502); 3]);
    let app = app_upstream_of(fake.addr, &ManualClock::new());
    let (status, _, body) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    assert!(json(&body).get("availability").is_none(), "{body:?}");
    assert_eq!(fake.token_requests(), 3);
}

#[tokio::test]
async fn grant_is_issued_without_availability_while_oauth_is_rate_limited() {
    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::TooMany(20)]);
    let app = app_upstream_of(fake.addr, &ManualClock::new());
    let (status, _, body) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    assert!(json(&body)["token"].is_string());
}

#[tokio::test]
async fn grant_is_200_while_the_routing_api_answers_500() {
    let fake = FakeGenesys::start().await;
    fake.fail_waits_with(500);
    let app = app_upstream_of(fake.addr, &ManualClock::new());
    let (status, _, body) = send(&app, grant_request("{}", [10, 0, 0, 1])).await;
    assert_eq!(status, 200);
    let body = json(&body);
    assert!(body["token"].is_string());
    assert!(body.get("availability").is_none(), "{body}");
    assert_eq!(fake.wait_requests(), 1);
}

#[tokio::test]
async fn grant_does_not_wait_for_a_routing_api_that_never_answers() {
    let fake = FakeGenesys::start().await;
    let _never_released = fake.hold_wait_answers();
    let clock = ManualClock::new();
    let config = config(&[
        "--genesys-client-id=client-a",
        "--genesys-client-secret=secret-a",
        "--genesys-queue-id",
        QUEUE_ID,
    ]);
    let app = app(AppState::with_options(
        &config,
        fake.addr,
        StateOptions {
            availability_wait: Duration::from_millis(100),
            ..fast_options(clock.clock())
        },
    ));
    let (status, _, body) = tokio::time::timeout(
        Duration::from_secs(10),
        send(&app, grant_request("{}", [10, 0, 0, 1])),
    )
    .await
    .expect("the grant does not wait for the hung lookup");
    assert_eq!(status, 200);
    assert!(json(&body).get("availability").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_grants_against_a_failing_token_endpoint_make_one_refresh() {
    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::Status(500); 20]);
    let app = app_upstream_of(fake.addr, &ManualClock::new());
    let grants: Vec<_> = (0..5u8)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move { send(&app, grant_request("{}", [10, 0, 0, i + 1])).await })
        })
        .collect();
    for grant in grants {
        let (status, _, _) = grant.await.unwrap();
        assert_eq!(status, 200);
    }
    // One refresh = the retry policy's 3 attempts; before single flight with negative caching
    // this was 3 per grant (15).
    assert_eq!(fake.token_requests(), 3);
    assert_eq!(fake.wait_requests(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiting_callers_get_the_one_failed_refresh_and_it_is_remembered() {
    let fake = FakeGenesys::start().await;
    fake.script([TokenAnswer::Status(401), TokenAnswer::Status(401)]);
    let clock = ManualClock::new();
    let oauth = Arc::new(oauth_client(&fake, &clock));
    for answer in at_once(&fake, &oauth, 5).await {
        assert!(
            matches!(answer, Err(OAuthError::Rejected(401))),
            "{answer:?}"
        );
    }
    assert_eq!(fake.token_requests(), 1);
    assert!(oauth.access_token().await.is_err());
    assert_eq!(
        fake.token_requests(),
        1,
        "the failure is answered from the cache"
    );
    clock.advance(FAILURE_REUSE);
    assert!(oauth.access_token().await.is_err());
    assert_eq!(fake.token_requests(), 2);
}
