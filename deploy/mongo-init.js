// One-shot, idempotent setup run by the `mongo-init` service after mongod has started:
//   1. initiate the single-node replica set `rs0` if it is not initiated yet;
//   2. wait until the node is a writable primary;
//   3. create or refresh the application's least-privilege user in the application database.
// Safe to run on every `docker compose up`: existing configuration is detected and kept, and the
// app user's password and roles are reset to what .env says (this is how a password is rotated).
//
// Run as: mongosh --nodb --quiet --norc --file /deploy/mongo-init.js
// Credentials come from the environment (never from the command line, which `ps` would show).

function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    print(`mongo-init: environment variable ${name} is not set`);
    quit(2);
  }
  return value;
}

const HOST = requireEnv("MONGO_HOST"); // host:port as the app will dial it, e.g. mongo:27017
const REPLICA_SET = requireEnv("MONGO_REPLICA_SET");
const APP_DB = requireEnv("MONGODB_DB");
const APP_USER = requireEnv("MONGO_APP_USER");
const APP_PASSWORD = requireEnv("MONGO_APP_PASSWORD");
const ROOT_URI =
  `mongodb://${encodeURIComponent(requireEnv("MONGO_ROOT_USER"))}:` +
  `${encodeURIComponent(requireEnv("MONGO_ROOT_PASSWORD"))}@${HOST}/admin` +
  "?authSource=admin&directConnection=true&serverSelectionTimeoutMS=3000";

// readWrite already includes `changeStream` and `find` on the database's collections, which is
// all a change-stream consumer needs. It lacks `collMod`, which the app needs to switch on
// `changeStreamPreAndPostImages` for the audited collections (the change log stores the value
// before each change). `dbAdmin` would also grant dropDatabase, profiling, validate, etc., so a
// custom role grants exactly `collMod` on this database's collections and nothing more.
const EXTRA_ROLE = "hocbaCollMod";
const EXTRA_PRIVILEGES = [{ resource: { db: APP_DB, collection: "" }, actions: ["collMod"] }];
const APP_ROLES = [
  { role: "readWrite", db: APP_DB },
  { role: EXTRA_ROLE, db: APP_DB },
];

// mongosh throws on {ok: 0}; the explicit check also covers shells that return the document.
function run(db, command) {
  const result = db.runCommand(command);
  if (!result.ok) {
    throw new Error(`${Object.keys(command)[0]} failed: ${result.errmsg}`);
  }
  return result;
}

// On the very first start the image's entrypoint runs a temporary mongod without --replSet
// (and without auth) to create the root user, then restarts it. Wait for the real one: it
// reports `isreplicaset` (not initiated yet) or `setName` (initiated) in `hello`.
function connectToReplicaSetMember() {
  let lastError = "";
  for (let attempt = 1; attempt <= 90; attempt++) {
    try {
      const admin = new Mongo(ROOT_URI).getDB("admin");
      run(admin, { connectionStatus: 1 });
      const hello = run(admin, { hello: 1 });
      if (hello.setName || hello.isreplicaset) {
        return admin;
      }
      lastError = "mongod is still in its first-start bootstrap";
    } catch (error) {
      lastError = String(error.message || error);
    }
    sleep(2000);
  }
  throw new Error(`mongod did not become reachable as a replica-set member: ${lastError}`);
}

function ensureReplicaSet(admin) {
  const hello = run(admin, { hello: 1 });
  if (hello.setName) {
    if (hello.setName !== REPLICA_SET) {
      throw new Error(`replica set is named ${hello.setName}, expected ${REPLICA_SET}`);
    }
    print(`mongo-init: replica set ${REPLICA_SET} already initiated`);
    return;
  }
  try {
    // The member's host must be the name the app dials, or drivers cannot find the primary.
    run(admin, { replSetInitiate: { _id: REPLICA_SET, members: [{ _id: 0, host: HOST }] } });
    print(`mongo-init: initiated replica set ${REPLICA_SET} with member ${HOST}`);
  } catch (error) {
    if (error.code !== 23) {
      // 23 = AlreadyInitialized: another run won the race, which is fine.
      throw error;
    }
  }
}

function waitForPrimary(admin) {
  for (let attempt = 1; attempt <= 60; attempt++) {
    if (run(admin, { hello: 1 }).isWritablePrimary) {
      return;
    }
    sleep(1000);
  }
  throw new Error("the node did not become primary within 60 s");
}

function ensureAppUser(admin) {
  const appDb = admin.getSiblingDB(APP_DB);
  const majority = { w: "majority" };
  if (run(appDb, { rolesInfo: EXTRA_ROLE }).roles.length > 0) {
    run(appDb, { updateRole: EXTRA_ROLE, privileges: EXTRA_PRIVILEGES, roles: [], writeConcern: majority });
  } else {
    run(appDb, { createRole: EXTRA_ROLE, privileges: EXTRA_PRIVILEGES, roles: [], writeConcern: majority });
  }
  if (run(appDb, { usersInfo: APP_USER }).users.length > 0) {
    run(appDb, { updateUser: APP_USER, pwd: APP_PASSWORD, roles: APP_ROLES, writeConcern: majority });
    print(`mongo-init: refreshed user ${APP_USER} on ${APP_DB}`);
  } else {
    run(appDb, { createUser: APP_USER, pwd: APP_PASSWORD, roles: APP_ROLES, writeConcern: majority });
    print(`mongo-init: created user ${APP_USER} on ${APP_DB}`);
  }
}

try {
  const admin = connectToReplicaSetMember();
  ensureReplicaSet(admin);
  waitForPrimary(admin);
  ensureAppUser(admin);
  print("mongo-init: done");
} catch (error) {
  print(`mongo-init: FAILED: ${error.message || error}`);
  quit(1);
}
