// The keys of a serve, worker or migrate run: where the master key comes
// from, and how a database is bound to it.
#pragma once

#include "config/config.h"
#include "core/error.h"
#include "core/master_key.h"
#include "core/secret_box.h"
#include "store/database.h"

namespace paygate {

// Before the database opens: the keys derived from the configured master key
// (and the previous one, while rotating). In test mode without one, a key
// kept in a file of its own (beside the SQLite database, or
// ./paygate-test-master.key for PostgreSQL), made on first use. A live start
// without a master key is a usage error naming 'paygate keygen'.
Result<KeyRing> load_key_ring(const Config& config);

// After migrations: records which master key the database is used with (its
// id only) on first use, and refuses a database used with another key, unless
// that key is the previous one of a rotation; then it reseals every webhook
// secret and merchant API secret under the current key and records the new key.
Status bind_key_ring(store::Database& db, const SecretBox& box);

}  // namespace paygate
