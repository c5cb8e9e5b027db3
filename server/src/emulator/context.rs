//! The per-connection context every socket handler receives: which connection, which deployment,
//! which token it configured, and where its frames go. A leaf below the handlers (`dispatch`,
//! `lifecycle`, `messaging`, `attachments`, `history`) so that they share it without importing
//! one another.

use parley_shared::genesys::ServerFrame;

use super::session::{ConnHandle, ConnId};

/// What the emulator knows about one socket.
#[derive(Debug)]
pub struct ConnCtx {
    /// This connection's id.
    pub id: ConnId,
    /// The `deploymentId` of the socket URL.
    pub deployment_id: String,
    /// Base URL for the upload / download URLs handed to this client.
    pub base_url: String,
    /// The token configureSession bound this socket to.
    pub token: Option<String>,
    /// Where this connection's frames go.
    pub handle: ConnHandle,
}

impl ConnCtx {
    /// Sends a frame to this connection only.
    pub fn reply(&self, frame: &ServerFrame) {
        self.handle.send(frame);
    }
}
