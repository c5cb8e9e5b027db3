//! Who answers for the contact centre: the bot first, the human "Alex" after a hand-over. A leaf
//! shared by the session store (each session remembers its current persona), the script (which
//! persona says what) and the agent (who signs each reply), so none of them imports another for it.

use parley_shared::genesys::Participant;

/// Who answers for the contact centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    /// The bot, first in line.
    Bot,
    /// The human it hands over to.
    Human,
}

impl Persona {
    fn nickname(self) -> &'static str {
        match self {
            Persona::Bot => "Parley Bot",
            Persona::Human => "Alex",
        }
    }

    pub(super) fn originating_entity(self) -> &'static str {
        match self {
            Persona::Bot => "Bot",
            Persona::Human => "Human",
        }
    }

    fn avatar(self) -> &'static str {
        match self {
            Persona::Bot => "bot.svg",
            Persona::Human => "human.svg",
        }
    }

    pub(super) fn participant(self, base_url: &str) -> Participant {
        Participant {
            nickname: Some(self.nickname().to_owned()),
            image: Some(format!("{base_url}/emulator/avatars/{}", self.avatar())),
            ..Participant::default()
        }
    }
}
