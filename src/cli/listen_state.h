// What `paygate listen` keeps between runs, per API URL and key: the local
// signing secret it signs forwarded events with (made once, so a receiver
// configured with it keeps working), and the cursor of the last event it
// finished forwarding (so a restart resumes with Last-Event-ID, losing none).
// One small JSON file, mode 0600, replaced atomically.
#pragma once

#include <string>
#include <string_view>

namespace paygate::cli {

struct ListenState {
  std::string path;
  std::string api_url;
  std::string api_key;
  std::string secret;
  std::string last_event_id;  // "" until an event was forwarded
};

// Where state lives: $XDG_STATE_HOME/paygate, else $HOME/.local/state/paygate;
// "" when neither is set. (Arguments are the environment's values or null.)
std::string state_dir(const char* xdg_state_home, const char* home);

// The file for this API URL and key inside dir: "listen-" + 16 hex digits of
// their SHA-256, so two servers or merchants never share a cursor or secret.
std::string state_file_name(std::string_view api_url, std::string_view api_key);

// "whsec_" and 32 random bytes in base64 (the Standard Webhooks look). The
// signing key is the whole text, as paygate's endpoint secrets are.
std::string new_signing_secret();

// Reads path; when it does not exist, makes a fresh state with a new secret
// and saves it at once. Throws CliError when the file is unreadable or not a
// state file (never replaced silently: its secret is configured somewhere).
ListenState load_or_create_state(const std::string& path, std::string_view api_url,
                                 std::string_view api_key);

// Writes state to state.path: a temporary file (0600), fsync, rename. Throws
// CliError when it cannot.
void save_state(const ListenState& state);

}  // namespace paygate::cli
