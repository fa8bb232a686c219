//! The hub's name on the LAN: the real `hub` program announces itself over mDNS / DNS-SD,
//! and an independent browser (the mdns-sd crate's, as a laptop's service browser would)
//! finds its name, its address and its HTTPS port.

use meeting_tests::{guard, TestHub};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_announces_its_name_and_https_port_over_mdns() {
    // A name of this run's own, so parallel runs on one network do not meet.
    let name = format!("phonghop-test-{}", std::process::id());
    let hub = TestHub::start_process_with_env(&[
        ("HUB_TLS", "self-signed"),
        ("HUB_ANNOUNCE", "true"),
        ("HUB_NAME", name.as_str()),
    ])
    .await;
    let browser = mdns_sd::ServiceDaemon::new().expect("an mDNS browser");
    let found = browser
        .browse("_https._tcp.local.")
        .expect("browsing _https._tcp");
    let host = format!("{name}.local.");
    let wanted = host.clone();
    let resolved = guard(
        "the hub's announcement",
        tokio::task::spawn_blocking(move || loop {
            match found.recv_timeout(meeting_tests::GUARD) {
                Ok(mdns_sd::ServiceEvent::ServiceResolved(service))
                    if service.get_hostname() == wanted =>
                {
                    return service;
                }
                Ok(_) => {}
                Err(e) => panic!("no announcement of {wanted}: {e}"),
            }
        }),
    )
    .await
    .expect("the browsing task");
    assert_eq!(resolved.get_port(), hub.addr().port());
    assert_eq!(resolved.get_property_val_str("path"), Some("/"));
    let addresses: Vec<String> = resolved
        .get_addresses()
        .iter()
        .map(|a| a.to_ip_addr().to_string())
        .collect();
    assert!(!addresses.is_empty(), "an address for {host}");
    eprintln!(
        "{host} announced at {addresses:?} port {}",
        resolved.get_port()
    );
    let _ = browser.shutdown();
}
