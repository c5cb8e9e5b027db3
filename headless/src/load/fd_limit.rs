//! File descriptors for many sockets: every guest holds one socket (plus a pooled HTTP
//! connection now and then). Most shells start with a soft limit of 1024; the hard limit is
//! usually far higher, and a process may raise its own soft limit up to it without privileges.

/// Descriptors kept free for stdio, the HTTP pool, DNS and the runtime.
const HEADROOM: u64 = 256;

/// The outcome of [`ensure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdLimit {
    /// Enough descriptors (the soft limit, possibly raised).
    Enough(u64),
    /// Not enough even after raising the soft limit to the hard one.
    TooFew {
        /// The limit now in force.
        limit: u64,
        /// How many the run needs.
        needed: u64,
    },
}

/// Makes room for `guests` sockets by raising the soft `RLIMIT_NOFILE` towards the hard limit
/// (through the `rlimit` crate: no `unsafe` of our own).
pub fn ensure(guests: usize) -> FdLimit {
    use rlimit::Resource;
    let needed = guests as u64 + HEADROOM;
    let Ok((soft, hard)) = rlimit::getrlimit(Resource::NOFILE) else {
        return FdLimit::Enough(needed); // unknown: let the sockets tell
    };
    if soft >= needed {
        return FdLimit::Enough(soft);
    }
    let raised = needed.min(hard);
    let current = match rlimit::setrlimit(Resource::NOFILE, raised, hard) {
        Ok(()) => raised,
        Err(_) => soft,
    };
    if current >= needed {
        FdLimit::Enough(current)
    } else {
        FdLimit::TooFew {
            limit: current,
            needed,
        }
    }
}
