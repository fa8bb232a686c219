//! Test fixtures: a PKI made by the test with rcgen (roots, an intermediate, signers), and
//! PDFs signed with a real CMS detached signature made by Debian's `openssl cms -sign`,
//! placed in the file the way PAdES signers do (an incremental update whose signature
//! dictionary's `/ByteRange` leaves out its own `/Contents`).
#![allow(dead_code)]

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SignatureAlgorithm,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use time::OffsetDateTime;

/// A certificate with its key, both as PEM files in the fixture's directory.
pub struct Party {
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    pub der: Vec<u8>,
    params: CertificateParams,
    key: KeyPair,
}

impl Party {
    fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

/// The test's PKI: a national root, an issuing CA under it, signers, and a stranger.
pub struct Pki {
    pub dir: tempfile::TempDir,
    pub root: Party,
    pub intermediate: Party,
    /// P-256 signer issued by the intermediate, valid now.
    pub signer: Party,
    /// RSA-2048 signer issued by the intermediate, valid now.
    pub rsa_signer: Party,
    /// P-384 signer issued directly by the root.
    pub p384_signer: Party,
    /// Issued by the intermediate; expired in 2021.
    pub expired_signer: Party,
    /// A root the office does not trust, and a signer under it.
    pub stranger_root: Party,
    pub stranger_signer: Party,
}

fn dn(params: &mut CertificateParams, cn: &str, org: &str) {
    params.distinguished_name.push(DnType::CommonName, cn);
    params
        .distinguished_name
        .push(DnType::OrganizationName, org);
    params.distinguished_name.push(DnType::CountryName, "VN");
}

fn write_party(
    dir: &Path,
    name: &str,
    params: CertificateParams,
    key: KeyPair,
    cert: rcgen::Certificate,
) -> Party {
    let cert_pem = dir.join(format!("{name}.crt"));
    let key_pem = dir.join(format!("{name}.key"));
    std::fs::write(&cert_pem, cert.pem()).unwrap();
    std::fs::write(&key_pem, key.serialize_pem()).unwrap();
    Party {
        cert_pem,
        key_pem,
        der: cert.der().to_vec(),
        params,
        key,
    }
}

/// A CA certificate (P-256) named `cn`, self-signed or issued by `issuer`.
pub fn ca(dir: &Path, name: &str, cn: &str, issuer: Option<&Party>) -> Party {
    ca_with(
        dir,
        name,
        cn,
        issuer,
        IsCa::Ca(BasicConstraints::Unconstrained),
    )
}

/// A certificate named `cn` with the given CA status, self-signed or issued by `issuer`.
pub fn ca_with(dir: &Path, name: &str, cn: &str, issuer: Option<&Party>, is_ca: IsCa) -> Party {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    dn(&mut params, cn, "Ban Cơ yếu Chính phủ (thử)");
    params.is_ca = is_ca;
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = rcgen::date_time_ymd(2015, 1, 1);
    params.not_after = rcgen::date_time_ymd(2045, 1, 1);
    let cert = match issuer {
        None => params.self_signed(&key).unwrap(),
        Some(i) => params.signed_by(&key, &i.issuer()).unwrap(),
    };
    write_party(dir, name, params, key, cert)
}

/// A signer's certificate (digitalSignature, nonRepudiation) named `cn`.
pub fn person(
    dir: &Path,
    name: &str,
    cn: &str,
    key: KeyPair,
    issuer: &Party,
    valid: (OffsetDateTime, OffsetDateTime),
) -> Party {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    dn(&mut params, cn, "UBND huyện Lạc Sơn");
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::ContentCommitment,
    ];
    params.not_before = valid.0;
    params.not_after = valid.1;
    let cert = params.signed_by(&key, &issuer.issuer()).unwrap();
    write_party(dir, name, params, key, cert)
}

/// An RSA key made by openssl (rcgen with ring cannot generate RSA keys).
fn rsa_key(dir: &Path) -> KeyPair {
    let path = dir.join("rsa-gen.key");
    run_openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        path.to_str().unwrap(),
    ]);
    let pem = std::fs::read_to_string(&path).unwrap();
    KeyPair::from_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).unwrap()
}

pub fn ec_key(alg: &'static SignatureAlgorithm) -> KeyPair {
    KeyPair::generate_for(alg).unwrap()
}

impl Pki {
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let now = (
            rcgen::date_time_ymd(2020, 1, 1),
            rcgen::date_time_ymd(2040, 1, 1),
        );
        let root = ca(d, "root", "Root CA thử nghiệm", None);
        let intermediate = ca(d, "intermediate", "CA cấp cho cán bộ (thử)", Some(&root));
        let signer = person(
            d,
            "signer",
            "Nguyễn Thị Hường",
            ec_key(&rcgen::PKCS_ECDSA_P256_SHA256),
            &intermediate,
            now,
        );
        let rsa_signer = person(
            d,
            "rsa-signer",
            "Trần Văn Đức",
            rsa_key(d),
            &intermediate,
            now,
        );
        let p384_signer = person(
            d,
            "p384-signer",
            "Lê Minh Khôi",
            ec_key(&rcgen::PKCS_ECDSA_P384_SHA384),
            &root,
            now,
        );
        let expired = (
            rcgen::date_time_ymd(2019, 1, 1),
            rcgen::date_time_ymd(2021, 1, 1),
        );
        let expired_signer = person(
            d,
            "expired",
            "Phạm Văn Cũ",
            ec_key(&rcgen::PKCS_ECDSA_P256_SHA256),
            &intermediate,
            expired,
        );
        let stranger_root = ca(d, "stranger-root", "CA lạ", None);
        let stranger_signer = person(
            d,
            "stranger",
            "Người Lạ",
            ec_key(&rcgen::PKCS_ECDSA_P256_SHA256),
            &stranger_root,
            now,
        );
        Pki {
            dir,
            root,
            intermediate,
            signer,
            rsa_signer,
            p384_signer,
            expired_signer,
            stranger_root,
            stranger_signer,
        }
    }

    /// Anchors with the national root only, as an office would configure them.
    pub fn anchors(&self) -> pdf_trust::TrustAnchors {
        pdf_trust::TrustAnchors::from_files(&[&self.root.cert_pem]).unwrap()
    }
}

pub fn run_openssl(args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs (apt-get install openssl; ./test installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A small unsigned PDF of `pages` pages of Helvetica text, plus `padding` bytes of
/// incompressible data in an unused stream (to make large files).
pub fn unsigned_pdf(pages: usize, padding: usize) -> Vec<u8> {
    use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
    let mut pdf = Pdf::new();
    let (catalog, tree, font) = (Ref::new(1), Ref::new(2), Ref::new(3));
    pdf.catalog(catalog).pages(tree);
    let page_ids: Vec<(Ref, Ref)> = (0..pages)
        .map(|i| (Ref::new(10 + 2 * i as i32), Ref::new(11 + 2 * i as i32)))
        .collect();
    pdf.pages(tree)
        .kids(page_ids.iter().map(|p| p.0))
        .count(pages as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    for (i, (page_id, content_id)) in page_ids.iter().enumerate() {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
            .parent(tree)
            .contents(*content_id);
        page.resources().fonts().pair(Name(b"F1"), font);
        page.finish();
        let mut content = Content::new();
        content.begin_text();
        content.set_font(Name(b"F1"), 14.0);
        content.next_line(72.0, 760.0);
        content.show(Str(
            format!("Page {} of the resolution. Hello.", i + 1).as_bytes()
        ));
        content.end_text();
        pdf.stream(*content_id, &content.finish());
    }
    if padding > 0 {
        let mut bytes = vec![0u8; padding];
        // xorshift: incompressible, deterministic.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for b in bytes.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        pdf.stream(Ref::new(5), &bytes);
    }
    pdf.finish()
}

fn last_startxref(pdf: &[u8]) -> usize {
    let at = pdf
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("a startxref");
    let tail = std::str::from_utf8(&pdf[at + 9..]).unwrap();
    tail.split_whitespace().next().unwrap().parse().unwrap()
}

fn trailer_size(pdf: &[u8]) -> usize {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    doc.max_id as usize + 1
}

/// Appends an incremental update holding `objects` (bodies, numbered from the file's
/// next free number on); returns the new file and the first number used.
pub fn append_update(pdf: &[u8], objects: &[String]) -> (Vec<u8>, usize) {
    let first = trailer_size(pdf);
    let prev = last_startxref(pdf);
    let mut out = pdf.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", first + i, body).as_bytes());
    }
    let xref = out.len();
    let mut table = format!("xref\n{} {}\n", first, objects.len());
    for off in offsets {
        table.push_str(&format!("{off:010} 00000 n \n"));
    }
    let root = lopdf::Document::load_mem(pdf)
        .unwrap()
        .trailer
        .get(b"Root")
        .unwrap()
        .as_reference()
        .unwrap();
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root {} {} R /Prev {} >>\nstartxref\n{}\n%%EOF\n",
        first + objects.len(),
        root.0,
        root.1,
        prev,
        xref
    ));
    out.extend_from_slice(table.as_bytes());
    (out, first)
}

const PLACEHOLDER_HEX: usize = 16384;

/// Signs `pdf` as `who` (with `chain` certificates carried in the CMS) by appending a
/// signature revision; `openssl_extra` adds options to `openssl cms -sign`.
pub fn sign(
    pdf: &[u8],
    who: &Party,
    chain: &[&Party],
    sub_filter: &str,
    openssl_extra: &[&str],
) -> Vec<u8> {
    let contents = format!("<{}>", "0".repeat(PLACEHOLDER_HEX));
    let range_placeholder = "[0 0000000000 0000000000 0000000000]";
    let first = trailer_size(pdf);
    let sig_dict = format!(
        "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /{sub_filter} /ByteRange {range_placeholder} /Contents {contents} /M (D:20260101120000Z) >>"
    );
    let field = format!(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Chu ky {first}) /Rect [0 0 0 0] /F 132 /V {first} 0 R >>"
    );
    let (mut out, _) = append_update(pdf, &[sig_dict, field]);
    let start = pdf.len();
    let hole_at = start + find(&out[start..], contents.as_bytes());
    let hole_end = hole_at + contents.len();
    let range = format!("[0 {} {} {}]", hole_at, hole_end, out.len() - hole_end);
    let range = format!("{range:<width$}", width = range_placeholder.len());
    let range_at = start + find(&out[start..], range_placeholder.as_bytes());
    out[range_at..range_at + range.len()].copy_from_slice(range.as_bytes());

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let sig = dir.path().join("sig.der");
    let certs = dir.path().join("chain.pem");
    let mut signed = out[..hole_at].to_vec();
    signed.extend_from_slice(&out[hole_end..]);
    std::fs::write(&data, &signed).unwrap();
    let chain_pem: String = chain
        .iter()
        .map(|p| std::fs::read_to_string(&p.cert_pem).unwrap())
        .collect();
    std::fs::write(&certs, chain_pem).unwrap();
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-outform",
        "DER",
        "-md",
        "sha256",
        "-in",
        data.to_str().unwrap(),
        "-out",
        sig.to_str().unwrap(),
        "-signer",
        who.cert_pem.to_str().unwrap(),
        "-inkey",
        who.key_pem.to_str().unwrap(),
    ];
    if !chain.is_empty() {
        args.extend(["-certfile", certs.to_str().unwrap()]);
    }
    args.extend(openssl_extra);
    run_openssl(&args);
    let cms = std::fs::read(&sig).unwrap();
    let hex: String = cms.iter().map(|b| format!("{b:02x}")).collect();
    assert!(hex.len() <= PLACEHOLDER_HEX, "the CMS fits the placeholder");
    out[hole_at + 1..hole_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the placeholder is there")
}

/// A file signed by the P-256 signer, chain carried, as `adbe.pkcs7.detached`.
pub fn signed_by(pki: &Pki, who: &Party) -> Vec<u8> {
    sign(
        &unsigned_pdf(2, 0),
        who,
        &[&pki.intermediate],
        "adbe.pkcs7.detached",
        &[],
    )
}
