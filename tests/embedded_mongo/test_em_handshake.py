"""Handshake: replica-set mode (what PyMongo needs to see a primary) and standalone mode."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from em_support import embedded_only
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure


async def test_hello_in_replica_set_mode(mongo_client: AsyncMongoClient) -> None:
    hello = await mongo_client.admin.command("hello")
    assert hello["ok"] == 1
    assert hello["setName"]
    assert hello["isWritablePrimary"] is True
    assert hello["primary"] == hello["me"]
    assert hello["primary"] in hello["hosts"]
    assert hello["maxWireVersion"] >= 9
    assert hello["maxBsonObjectSize"] == 16 * 1024 * 1024
    assert hello["logicalSessionTimeoutMinutes"] > 0
    legacy = await mongo_client.admin.command("ismaster")
    assert legacy["ismaster"] is True
    assert legacy["setName"] == hello["setName"]


async def test_pymongo_sees_a_replica_set_with_primary(mongo_client: AsyncMongoClient) -> None:
    await mongo_client.admin.command("ping")
    topology = mongo_client.topology_description
    assert topology.topology_type_name == "ReplicaSetWithPrimary"
    hello = await mongo_client.admin.command("hello")
    assert topology.replica_set_name == hello["setName"]
    host, port = await mongo_client.primary  # type: ignore[misc]
    assert f"{host}:{port}" == hello["primary"]


@embedded_only
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
async def test_hosts_echo_the_dialled_address(
    own_server: Callable, client_for: Callable, host: str
) -> None:
    try:
        server = own_server(host=host, replica_set="rsX")
    except OSError as exc:  # e.g. no IPv6 loopback on this machine
        pytest.skip(f"cannot listen on {host}: {exc}")
    literal = f"[{host}]" if ":" in host else host
    assert server.uri.startswith(f"mongodb://{literal}:")
    address = server.uri.split("//", 1)[1].split("/", 1)[0]
    client = client_for(server.uri)
    hello = await client.admin.command("hello")
    assert hello["setName"] == "rsX"
    assert hello["hosts"] == [address]
    assert hello["primary"] == address
    assert hello["me"] == address
    assert client.topology_description.topology_type_name == "ReplicaSetWithPrimary"


@embedded_only
async def test_standalone_mode_refuses_change_streams(
    own_server: Callable, client_for: Callable
) -> None:
    server = own_server(replica_set=None)
    client = client_for(server.uri)
    hello = await client.admin.command("hello")
    assert "setName" not in hello
    assert hello["isWritablePrimary"] is True
    assert client.topology_description.topology_type_name == "Single"
    coll = client.standalone_test.items
    await coll.insert_one({"x": 1})
    with pytest.raises(OperationFailure) as info:
        await coll.watch()
    assert info.value.code == 40573
    # The connection survives the refusal.
    assert await coll.count_documents({}) == 1
