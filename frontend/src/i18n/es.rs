//! Spanish.

use super::Key;

pub(super) fn text(key: Key) -> &'static str {
    match key {
        Key::ChatDialog => "Chat",
        Key::HeaderTitle => "Chatea con nosotros",
        Key::Connecting => "Conectando…",
        Key::Connected => "Conectado",
        Key::ReconnectingIn => "Reconectando en {n} s",
        Key::Reconnecting => "Reconectando…",
        Key::RetryNow => "Reintentar ahora",
        Key::Offline => "Sin conexión",
        Key::ConversationEnded => "Conversación finalizada",
        Key::SessionExpired => "Sesión caducada",
        Key::ChatClosed => "Chat cerrado",
        Key::MinimiseChat => "Minimizar chat",
        Key::EndChat => "Finalizar chat",
        Key::EndChatQuestion => "¿Finalizar esta conversación?",
        Key::YesEndChat => "Sí, finalizar chat",
        Key::Cancel => "Cancelar",
        Key::StartNewChat => "Iniciar un chat nuevo",
        Key::Conversation => "Conversación",
        Key::Retry => "Reintentar",
        Key::Discard => "Eliminar",
        Key::Sending => "Enviando…",
        Key::Sent => "Enviado",
        Key::FailTooLong => "No enviado: el mensaje es demasiado largo.",
        Key::FailAttributes => "No enviado: demasiados datos adicionales.",
        Key::FailSessionEnded => "No enviado: la conversación finalizó.",
        Key::FailRejected => "No enviado: rechazado ({code}).",
        Key::You => "Tú",
        Key::Agent => "Agente",
        Key::NoticeJoined => "{name} se ha unido",
        Key::NoticeEnded => "Conversación finalizada",
        Key::NoticeExpired => "Sesión caducada: se iniciará un chat nuevo",
        Key::NoticeClosed => "Este chat se ha cerrado",
        Key::NoticeNewConversation => "Nueva conversación",
        Key::Typing => "{name} está escribiendo…",
        Key::QuickReplies => "Respuestas rápidas",
        Key::Message => "Mensaje",
        Key::MessagePlaceholder => "Escribe un mensaje…",
        Key::Send => "Enviar",
        Key::ReasonTooLong => "Los mensajes pueden tener como máximo {max} caracteres.",
        Key::ReasonReadOnly => "Esta conversación ha finalizado.",
        Key::NoticeEndedKeepWriting => {
            "El agente ha salido de la conversación. Escriba para empezar una nueva."
        }
        Key::SharedComputer => {
            "Estoy en un ordenador compartido: olvidar este chat al cerrar la pestaña"
        }
        Key::ReasonNoSession => "No hay ninguna conversación. Inicia un chat nuevo.",
        Key::AttachFile => "Adjuntar un archivo",
        Key::Uploading => "Subiendo {name}…",
        Key::UploadTypeNotAllowed => "No se pueden enviar archivos de este tipo.",
        Key::UploadTooLarge => "El archivo supera {max}.",
        Key::UploadFailed => "No se pudo subir el archivo: {reason}",
        Key::Dismiss => "Cerrar",
        Key::NewMessages => "Mensajes nuevos",
        Key::Previous => "Anterior",
        Key::Next => "Siguiente",
        Key::Cards => "Tarjetas",
        Key::Download => "Descargar {name}",
        Key::Unsupported => "Este contenido no se puede mostrar aquí.",
        Key::Today => "Hoy",
        Key::Yesterday => "Ayer",
        Key::OpensInNewTab => "(se abre en una pestaña nueva)",
        Key::DownloadTranscript => "Descargar la transcripción",
        Key::SaveAsText => "Archivo de texto",
        Key::SaveAsWebPage => "Página web (HTML)",
        Key::TranscriptTitle => "Transcripción del chat",
    }
}
