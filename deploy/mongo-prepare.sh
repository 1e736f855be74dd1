#!/bin/sh
# One-shot step run before mongod starts (service `mongo-prepare` in docker-compose.yml).
#
# 1. Refuses obviously unsafe secrets *before* the database is initialised: the root user is
#    created from MONGO_ROOT_PASSWORD on the very first start and is not changed by editing .env
#    later, so a placeholder must never get that far.
# 2. Creates the replica-set keyfile once, in the `mongo-keyfile` named volume, owned by the
#    image's `mongodb` user (uid/gid 999) with mode 400 (mongod refuses group/world-readable keys).
set -eu

KEYFILE_DIR=${KEYFILE_DIR:-/keyfile}
KEYFILE="$KEYFILE_DIR/keyfile"
MONGODB_UID=999

fail() {
    echo "mongo-prepare: $*" >&2
    exit 1
}

check_secret() {
    name=$1
    value=$2
    case "$value" in
        "" ) fail "$name is empty" ;;
        change-me* ) fail "$name still holds the placeholder from .env.example; set a random value" ;;
    esac
    [ "${#value}" -ge 16 ] || fail "$name must be at least 16 characters long"
}

# The app user's name and password are embedded in MONGODB_URI without percent-encoding, so they
# must use URI-safe characters only (e.g. generate with: openssl rand -hex 24).
check_uri_safe() {
    name=$1
    value=$2
    case "$value" in
        "" ) fail "$name is empty" ;;
        *[!A-Za-z0-9._~-]* ) fail "$name may only contain A-Z a-z 0-9 . _ ~ - (it goes into MONGODB_URI)" ;;
    esac
}

check_secret MONGO_ROOT_PASSWORD "${MONGO_ROOT_PASSWORD:-}"
check_secret MONGO_APP_PASSWORD "${MONGO_APP_PASSWORD:-}"
check_uri_safe MONGO_APP_USER "${MONGO_APP_USER:-}"
check_uri_safe MONGO_APP_PASSWORD "${MONGO_APP_PASSWORD:-}"
[ "${MONGO_APP_PASSWORD}" != "${MONGO_ROOT_PASSWORD}" ] \
    || fail "MONGO_APP_PASSWORD must differ from MONGO_ROOT_PASSWORD"

if [ ! -s "$KEYFILE" ]; then
    umask 077
    tmp="$KEYFILE.tmp.$$"
    # 756 random bytes -> 1008 base64 characters (mongod accepts 6..1024 base64 characters).
    head -c 756 /dev/urandom | base64 -w 0 > "$tmp"
    mv "$tmp" "$KEYFILE"
    echo "mongo-prepare: created a new replica-set keyfile"
else
    echo "mongo-prepare: keyfile already present, keeping it"
fi
chown "$MONGODB_UID:$MONGODB_UID" "$KEYFILE"
chmod 0400 "$KEYFILE"
