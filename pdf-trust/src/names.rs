//! Reading people's and bodies' names out of X.509 distinguished names.

use x509_cert::name::Name;

/// The subject's common name (CN), if it has one that decodes.
pub(crate) fn common_name(name: &Name) -> Option<String> {
    name.common_name()
        .ok()
        .flatten()
        .map(|s| s.value().trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The organisation (O), if any.
pub(crate) fn organisation(name: &Name) -> Option<String> {
    name.organization()
        .ok()
        .flatten()
        .map(|s| s.value().trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The common name, or the whole name in RFC 4514 form when there is none.
pub(crate) fn display_name(name: &Name) -> String {
    common_name(name).unwrap_or_else(|| name.to_string())
}
