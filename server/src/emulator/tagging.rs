//! The upload tagging header: `onAttachment` hands it out in the `PresignedUrlResponse`
//! (`frames`), and the upload `PUT` must repeat it (`uploads`), as S3 insists on a presigned URL's
//! `x-amz-tagging`. A leaf so that the frame builders need not import the attachment store.

/// The header a PUT must repeat from the `PresignedUrlResponse`.
pub const TAGGING_HEADER: &str = "x-amz-tagging";
