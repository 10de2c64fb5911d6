# The two slots of a service under AUTERITY_HOME (sourced by the scripts of ops/):
#   secrets/NAME                         DATABASE_URL, REDIS_URL, JWT_SECRET_KEY, ... (operator-provisioned)
#   registry/BLUEPRINT@VERSION.json      the images pushed for a version (registerVersion)
#   config/ADAPTER.json                  the environment's configuration (configureAdapter)
#   slots/blue|green/DEPLOYMENT.json     the release each slot runs, as Steward applied it
#   slots/blue|green/DEPLOYMENT.metrics  the slot's request metrics: errorRate, responseTime (ms)
#   listeners/DEPLOYMENT                 the load balancer: which slot gets the traffic
# shellcheck shell=bash

slot_file() { echo "$1/slots/$2/$3.json"; }
metrics_file() { echo "$1/slots/$2/$3.metrics"; }

# The slot the listener sends traffic to, or nothing before the first deploy.
live_slot() { cat "$1/listeners/$2" 2>/dev/null || true; }

other_slot() { if [ "$1" = blue ]; then echo green; else echo blue; fi; }

# Points the listener at SLOT (the guide's `aws elbv2 modify-listener`), atomically.
switch_listener() { echo "$3" | write_atomically "$1/listeners/$2"; }
