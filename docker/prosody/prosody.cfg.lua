-- Prosody 0.12 for local development and the end-to-end tests of jingle-sip-gateway: one
-- VirtualHost for test users and the gateway as an XEP-0114 external component. Test-only
-- settings (plaintext c2s with PLAIN, a secret in the file): never use this in production.

admins = { }

modules_enabled = {
  "roster";   -- clients expect a roster
  "saslauth"; -- SASL authentication for the test users
  "disco";    -- service discovery (clients query the gateway's features through it)
  "ping";     -- XEP-0199, used by clients and health checks
}

-- No federation: the test domain lives on this server only.
modules_disabled = { "s2s" }

-- No certificates in the test setup: clients connect without TLS and authenticate with PLAIN.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
allow_registration = false

storage = "internal"

-- Prosody leaves Nagle's algorithm on by default; with it, a stanza written right after another
-- waits for the peer's delayed ACK (up to 40 ms on Linux) on the component connection.
-- Call signalling is a chain of such small writes (docs/operations.md "Latency").
network_settings = { nagle = false }

log = {
  { levels = { min = "info" }, to = "console" };
}

-- XEP-0114 component connections on all interfaces, so the gateway can connect from another
-- container or from the host through the published port.
component_ports = { 5347 }
component_interfaces = { "*" }

VirtualHost "example.test"

-- The gateway (config/gateway.example.json: xmpp.domain, xmpp.secret).
Component "gw.example.test"
  component_secret = "change-me-component-secret"
