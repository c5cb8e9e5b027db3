//! German (formal address).

use super::Key;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::ChatDialog => "Chat",
        Key::HeaderTitle => "Schreiben Sie uns",
        Key::Connecting => "Verbindung wird hergestellt…",
        Key::Connected => "Verbunden",
        Key::ReconnectingIn => "Neuer Verbindungsversuch in {n} s",
        Key::Reconnecting => "Verbindung wird wiederhergestellt…",
        Key::RetryNow => "Jetzt erneut versuchen",
        Key::Offline => "Offline",
        Key::ConversationEnded => "Unterhaltung beendet",
        Key::SessionExpired => "Sitzung abgelaufen",
        Key::ChatClosed => "Chat geschlossen",
        Key::MinimiseChat => "Chat minimieren",
        Key::EndChat => "Chat beenden",
        Key::EndChatQuestion => "Diese Unterhaltung beenden?",
        Key::YesEndChat => "Ja, Chat beenden",
        Key::Cancel => "Abbrechen",
        Key::StartNewChat => "Neuen Chat starten",
        Key::Conversation => "Unterhaltung",
        Key::Retry => "Erneut senden",
        Key::Discard => "Löschen",
        Key::Sending => "Wird gesendet…",
        Key::Sent => "Gesendet",
        Key::FailTooLong => "Nicht gesendet: Die Nachricht ist zu lang.",
        Key::FailAttributes => "Nicht gesendet: zu viele Zusatzdaten.",
        Key::FailSessionEnded => "Nicht gesendet: Die Unterhaltung wurde beendet.",
        Key::FailRejected => "Nicht gesendet: abgelehnt ({code}).",
        Key::You => "Sie",
        Key::Agent => "Mitarbeiter",
        Key::NoticeJoined => "{name} ist beigetreten",
        Key::NoticeEnded => "Unterhaltung beendet",
        Key::NoticeExpired => "Sitzung abgelaufen – ein neuer Chat wird gestartet",
        Key::NoticeClosed => "Dieser Chat wurde geschlossen",
        Key::NoticeNewConversation => "Neue Unterhaltung",
        Key::Typing => "{name} schreibt…",
        Key::QuickReplies => "Schnellantworten",
        Key::Message => "Nachricht",
        Key::MessagePlaceholder => "Nachricht schreiben…",
        Key::Send => "Senden",
        Key::ReasonTooLong => "Nachrichten dürfen höchstens {max} Zeichen lang sein.",
        Key::ReasonReadOnly => "Diese Unterhaltung ist beendet.",
        Key::NoticeEndedKeepWriting => {
            "Der Mitarbeiter hat die Unterhaltung verlassen. Schreiben Sie, um eine neue zu beginnen."
        }
        Key::SharedComputer => {
            "Ich nutze einen gemeinsamen Computer: diesen Chat beim Schließen des Tabs vergessen"
        }
        Key::ReasonNoSession => "Es gibt keine Unterhaltung. Starten Sie einen neuen Chat.",
        Key::AttachFile => "Datei anhängen",
        Key::Uploading => "{name} wird hochgeladen…",
        Key::UploadTypeNotAllowed => "Dateien dieses Typs können nicht gesendet werden.",
        Key::UploadTooLarge => "Die Datei ist größer als {max}.",
        Key::UploadFailed => "Das Hochladen ist fehlgeschlagen: {reason}",
        Key::Dismiss => "Schließen",
        Key::NewMessages => "Neue Nachrichten",
        Key::Previous => "Zurück",
        Key::Next => "Weiter",
        Key::Cards => "Karten",
        Key::Download => "{name} herunterladen",
        Key::Unsupported => "Dieser Inhalt kann hier nicht angezeigt werden.",
        Key::Today => "Heute",
        Key::Yesterday => "Gestern",
        Key::OpensInNewTab => "(öffnet in einem neuen Tab)",
        Key::DownloadTranscript => "Chatverlauf herunterladen",
        Key::SaveAsText => "Textdatei",
        Key::SaveAsWebPage => "Webseite (HTML)",
        Key::TranscriptTitle => "Chatverlauf",
        Key::PrechatIntro => "Bevor wir beginnen, erzählen Sie uns bitte kurz etwas über sich.",
        Key::PrechatStart => "Chat starten",
        Key::FieldName => "Name",
        Key::FieldEmail => "E-Mail",
        Key::FieldPhone => "Telefon",
        Key::FieldConsent => {
            "Ich bin einverstanden, dass meine Angaben zur Beantwortung dieses Chats verwendet werden."
        }
        Key::FieldOptional => "(optional)",
        Key::ProblemRequired => "Bitte füllen Sie dieses Feld aus.",
        Key::ProblemEmail => "Bitte geben Sie eine E-Mail-Adresse wie name@example.com ein.",
        Key::ProblemPhone => {
            "Bitte geben Sie eine Telefonnummer ein: Ziffern, + - ( ) und Leerzeichen."
        }
        Key::ProblemConsent => "Bitte stimmen Sie zu, um fortzufahren.",
        Key::AlertSettings => "Hinweise",
        Key::SoundToggle => "Ton bei neuen Nachrichten abspielen",
        Key::NotifyToggle => "Benachrichtigen, wenn dieser Tab verborgen ist",
        Key::NotificationTitle => "Neue Nachricht von {name}",
        Key::NotifyBlocked => "Benachrichtigungen sind für diese Website blockiert.",
    }
}
