//! Tests of the config file, its validation and the deploy example.

use super::*;

const EXAMPLE: &str = include_str!("../../../deploy/hub.toml");

#[test]
fn an_empty_file_gives_the_defaults() {
    let config = Config::from_toml("").unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.listen.to_string(), "0.0.0.0:8080");
    assert_eq!(config.quorum, Fraction::TWO_THIRDS);
    assert_eq!(config.limits.max_frame_bytes, 65536);
    assert_eq!(config.limits.idle_timeout(), Duration::from_secs(90));
    config.validate().unwrap();
}

#[test]
fn a_file_overrides_only_the_keys_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.toml");
    let text = "listen = \"127.0.0.1:9000\"\npublic_url = \"http://10.0.0.5:9000/\"\n\
                quorum = \"1/2\"\n[limits]\nclient_queue = 64\n";
    std::fs::write(&path, text).unwrap();
    let config = Config::from_file(&path).unwrap();
    let mut expected = Config {
        listen: "127.0.0.1:9000".parse().unwrap(),
        public_url: Some("http://10.0.0.5:9000".into()),
        quorum: "1/2".parse().unwrap(),
        ..Config::default()
    };
    expected.limits.client_queue = 64;
    assert_eq!(config, expected);
}

#[test]
fn an_unknown_key_is_refused_by_name_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, "log = \"info\"\n[limits]\nmax_frame_byte = 1\n").unwrap();
    let message = Config::from_file(&path).unwrap_err().to_string();
    assert!(message.contains("max_frame_byte"), "{message}");
    assert!(message.contains("line 3"), "{message}");
    assert!(message.contains("hub.toml"), "{message}");
}

#[test]
fn a_missing_file_is_named() {
    let err = Config::from_file(Path::new("/nonexistent/hub.toml")).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }));
    assert!(err.to_string().contains("/nonexistent/hub.toml"));
}

#[test]
fn out_of_range_settings_are_refused_with_their_key() {
    let check = |edit: fn(&mut Config), key: &str| {
        let mut config = Config::default();
        edit(&mut config);
        let message = config.validate().unwrap_err().to_string();
        assert!(message.contains(key), "{key}: {message}");
    };
    check(|c| c.limits.max_frame_bytes = 512, "limits.max_frame_bytes");
    check(
        |c| c.limits.max_frame_bytes = 17 * MIB,
        "limits.max_frame_bytes",
    );
    check(|c| c.limits.client_queue = 15, "limits.client_queue");
    check(
        |c| c.limits.commands_per_second = 0,
        "limits.commands_per_second",
    );
    check(
        |c| c.limits.idle_timeout_secs = 0,
        "limits.idle_timeout_secs",
    );
    check(
        |c| c.public_url = Some("192.168.1.10:8080".into()),
        "public_url",
    );
    check(|c| c.public_url = Some("http://".into()), "public_url");
    check(|c| c.public_url = Some("http://a b".into()), "public_url");
}

#[test]
fn an_invalid_value_in_a_file_names_the_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.toml");
    std::fs::write(&path, "[limits]\nclient_queue = 2\n").unwrap();
    let err = Config::from_file(&path).unwrap_err();
    let message = err.to_string();
    assert!(matches!(
        err,
        ConfigError::InvalidInFile {
            key: "limits.client_queue",
            ..
        }
    ));
    assert!(message.contains("hub.toml"), "{message}");
}

#[test]
fn public_base_prefers_the_configured_url() {
    let mut config = Config {
        public_url: Some("https://hop.example.vn/".into()),
        ..Config::default()
    };
    let bound = "0.0.0.0:8080".parse().unwrap();
    assert_eq!(config.public_base(bound), "https://hop.example.vn");
    config.normalise();
    assert_eq!(config.public_url.as_deref(), Some("https://hop.example.vn"));
}

#[test]
fn public_base_keeps_a_specific_address_and_the_bound_port() {
    let mut config = Config::default();
    assert_eq!(
        config.public_base("192.168.1.10:43111".parse().unwrap()),
        "https://192.168.1.10:43111"
    );
    assert_eq!(
        config.public_base("[::1]:8080".parse().unwrap()),
        "https://[::1]:8080"
    );
    assert_eq!(
        config.public_base("192.168.1.10:443".parse().unwrap()),
        "https://192.168.1.10"
    );
    let derived = config.public_base("0.0.0.0:8123".parse().unwrap());
    assert!(
        derived.starts_with("https://") && derived.ends_with(":8123"),
        "{derived}"
    );
    assert!(!derived.contains("0.0.0.0"), "{derived}");
    config.tls.mode = crate::config::TlsMode::Off;
    assert_eq!(
        config.public_base("192.168.1.10:8080".parse().unwrap()),
        "http://192.168.1.10:8080"
    );
}

#[test]
fn public_base_uses_the_mdns_name_when_asked() {
    let mut config = Config::default();
    config.name.in_links = true;
    config.name.host = "hoitruong-a".into();
    assert_eq!(
        config.public_base("0.0.0.0:443".parse().unwrap()),
        "https://hoitruong-a.local"
    );
}

#[test]
fn tls_settings_that_cannot_work_are_refused() {
    let mut config = Config::default();
    config.tls.mode = crate::config::TlsMode::Files;
    let err = config.validate().unwrap_err().to_string();
    assert!(err.contains("tls.mode"), "{err}");
    let mut config = Config::default();
    config.tls.mode = crate::config::TlsMode::Off;
    config.tls.redirect_listen = Some("0.0.0.0:80".parse().unwrap());
    let err = config.validate().unwrap_err().to_string();
    assert!(err.contains("tls.redirect_listen"), "{err}");
    let mut config = Config::default();
    config.name.host = "phòng-họp".into();
    let err = config.validate().unwrap_err().to_string();
    assert!(err.contains("name.host"), "{err}");
}

#[test]
fn the_deploy_example_is_the_defaults_except_where_it_says_so() {
    let example = Config::from_toml(EXAMPLE).expect("deploy/hub.toml parses");
    example.validate().expect("deploy/hub.toml is valid");
    // The example deliberately keeps the data in the systemd StateDirectory, and serves a
    // hall on the standard ports: HTTPS on 443, the redirect on 80.
    let mut expected = Config {
        data: PathBuf::from("/var/lib/hub"),
        listen: "0.0.0.0:443".parse().unwrap(),
        ..Config::default()
    };
    expected.tls.redirect_listen = Some("0.0.0.0:80".parse().unwrap());
    assert_eq!(example, expected);
}

#[test]
fn the_deploy_example_documents_every_setting() {
    // public_url is commented out in the example (a wrong address would print wrong QR
    // codes), so it is checked as text like every other key.
    let defaults = toml::Value::try_from(Config::default()).unwrap();
    let mut keys = vec!["public_url".to_owned(), "cert".to_owned(), "key".to_owned()];
    for (key, value) in defaults.as_table().unwrap() {
        match value.as_table() {
            Some(table) => keys.extend(table.keys().cloned()),
            None => keys.push(key.clone()),
        }
    }
    for key in keys {
        let mentioned = EXAMPLE.lines().any(|line| {
            let line = line.trim_start_matches(['#', ' ']);
            line.starts_with(&format!("{key} =")) || line.starts_with(&format!("{key}="))
        });
        assert!(mentioned, "deploy/hub.toml does not mention `{key}`");
    }
}

#[test]
fn a_postgres_store_needs_a_url_that_is_never_printed() {
    let config = Config::from_toml("[store]\nengine = \"postgres\"\n").unwrap();
    let message = config.validate().unwrap_err().to_string();
    assert!(message.contains("store.url"), "{message}");
    let config = Config::from_toml("[store]\nurl = \"postgres://h/db\"\n").unwrap();
    assert!(config.validate().is_err(), "a url for the embedded store");
    let config = Config::from_toml(
        "[store]\nengine = \"postgres\"\nurl = \"postgres://hub:s3cret-pw@10.0.0.5/phonghop\"\n",
    )
    .unwrap();
    config.validate().unwrap();
    assert!(!format!("{config:?}").contains("s3cret-pw"));
    let config =
        Config::from_toml("[store]\nengine = \"postgres\"\nurl = \"not a url = = =\"\n").unwrap();
    assert!(config.validate().is_err());
}
