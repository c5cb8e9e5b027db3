//! French.

use super::Key;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::ChatDialog => "Discussion",
        Key::HeaderTitle => "Discutez avec nous",
        Key::Connecting => "Connexion…",
        Key::Connected => "Connecté",
        Key::ReconnectingIn => "Reconnexion dans {n} s",
        Key::Reconnecting => "Reconnexion…",
        Key::RetryNow => "Réessayer maintenant",
        Key::Offline => "Hors ligne",
        Key::ConversationEnded => "Conversation terminée",
        Key::SessionExpired => "Session expirée",
        Key::ChatClosed => "Discussion fermée",
        Key::MinimiseChat => "Réduire la discussion",
        Key::EndChat => "Terminer la discussion",
        Key::EndChatQuestion => "Terminer cette conversation ?",
        Key::YesEndChat => "Oui, terminer",
        Key::Cancel => "Annuler",
        Key::StartNewChat => "Nouvelle discussion",
        Key::Conversation => "Conversation",
        Key::Retry => "Réessayer",
        Key::Discard => "Supprimer",
        Key::Sending => "Envoi…",
        Key::Sent => "Envoyé",
        Key::FailTooLong => "Non envoyé : le message est trop long.",
        Key::FailAttributes => "Non envoyé : trop de données jointes.",
        Key::FailSessionEnded => "Non envoyé : la conversation est terminée.",
        Key::FailRejected => "Non envoyé : refusé ({code}).",
        Key::You => "Vous",
        Key::Agent => "Conseiller",
        Key::NoticeJoined => "{name} a rejoint la conversation",
        Key::NoticeEnded => "Conversation terminée",
        Key::NoticeExpired => "Session expirée — une nouvelle discussion va commencer",
        Key::NoticeClosed => "Cette discussion a été fermée",
        Key::NoticeNewConversation => "Nouvelle conversation",
        Key::Typing => "{name} écrit…",
        Key::QuickReplies => "Réponses rapides",
        Key::Message => "Message",
        Key::MessagePlaceholder => "Écrivez un message…",
        Key::Send => "Envoyer",
        Key::ReasonTooLong => "Un message peut compter au plus {max} caractères.",
        Key::ReasonReadOnly => "Cette conversation est terminée.",
        Key::NoticeEndedKeepWriting => {
            "L'agent a quitté la conversation. Écrivez pour en commencer une nouvelle."
        }
        Key::SharedComputer => {
            "J'utilise un ordinateur partagé : oublier ce chat à la fermeture de l'onglet"
        }
        Key::ReasonNoSession => "Aucune conversation. Commencez une nouvelle discussion.",
        Key::AttachFile => "Joindre un fichier",
        Key::Uploading => "Envoi de {name}…",
        Key::UploadTypeNotAllowed => "Ce type de fichier ne peut pas être envoyé.",
        Key::UploadTooLarge => "Le fichier dépasse {max}.",
        Key::UploadFailed => "L’envoi du fichier a échoué : {reason}",
        Key::Dismiss => "Fermer",
        Key::NewMessages => "Nouveaux messages",
        Key::Previous => "Précédent",
        Key::Next => "Suivant",
        Key::Cards => "Cartes",
        Key::Download => "Télécharger {name}",
        Key::Unsupported => "Ce contenu ne peut pas être affiché ici.",
        Key::Today => "Aujourd’hui",
        Key::Yesterday => "Hier",
        Key::OpensInNewTab => "(s’ouvre dans un nouvel onglet)",
        Key::DownloadTranscript => "Télécharger la transcription",
        Key::SaveAsText => "Fichier texte",
        Key::SaveAsWebPage => "Page web (HTML)",
        Key::TranscriptTitle => "Transcription de la discussion",
        Key::PrechatIntro => "Avant de commencer, dites-nous en un peu plus sur vous.",
        Key::PrechatStart => "Démarrer la discussion",
        Key::FieldName => "Nom",
        Key::FieldEmail => "E-mail",
        Key::FieldPhone => "Téléphone",
        Key::FieldConsent => {
            "J'accepte que mes informations soient utilisées pour répondre à cette discussion."
        }
        Key::FieldOptional => "(facultatif)",
        Key::ProblemRequired => "Veuillez remplir ce champ.",
        Key::ProblemEmail => "Veuillez saisir une adresse e-mail comme nom@example.com.",
        Key::ProblemPhone => {
            "Veuillez saisir un numéro de téléphone : chiffres, + - ( ) et espaces."
        }
        Key::ProblemConsent => "Veuillez accepter pour continuer.",
        Key::AlertSettings => "Alertes",
        Key::SoundToggle => "Jouer un son pour les nouveaux messages",
        Key::NotifyToggle => "Me notifier quand cet onglet est masqué",
        Key::NotificationTitle => "Nouveau message de {name}",
        Key::NotifyBlocked => "Les notifications sont bloquées pour ce site.",
    }
}
