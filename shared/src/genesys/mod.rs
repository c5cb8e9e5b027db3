//! Wire types for the Genesys Cloud Web Messaging guest API (PROTOCOL.md §1).
