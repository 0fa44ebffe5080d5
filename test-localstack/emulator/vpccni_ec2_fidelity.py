"""EC2 semantics the emulator lacks, loaded into the LocalStack process at start (see README, "The EC2 emulator").

LocalStack 4.13.1 hands every network-interface call to moto-ext 5.1.54, which never refuses and never waits:
addresses are random and unique only per ENI, prefixes are ignored, instance-type limits are not enforced,
DeleteOnTermination is ignored, MACs are malformed, and nothing is slow or throttled. This module replaces the
handlers of those calls with ones that behave as EC2's API reference documents, keeping moto's models and its
response serializer (which emits any attribute a model has, such as ``ipv4_prefixes``):

- one address allocator per subnet: unique across ENIs, AWS's five reserved addresses never handed out,
  ``InvalidIPAddress.InUse`` for a taken address, ``InsufficientFreeAddressesInSubnet`` when none is left, and
  AvailableIpAddressCount the true free count;
- IPv4 prefixes: aligned /28s from the subnet's free space on create, assign, unassign and describe, each one slot
  of the per-ENI limit, ``InsufficientCidrBlocks`` when no aligned /28 is free;
- IPv6: addresses and aligned /80 prefixes from the subnet's /64, unique across ENIs, on create, assign, unassign and
  describe, counted together against the instance type's IPv6 addresses per interface;
- instance-type limits: ``AttachmentLimitExceeded``, a taken device index refused, ``PrivateIpAddressLimitExceeded``;
- DeleteOnTermination (true for the primary ENI) honoured on TerminateInstances; other ENIs are detached; an
  attached ENI cannot be deleted (``InvalidNetworkInterface.InUse``);
- well-formed MACs, stable per ENI; AssignPrivateIpAddresses answers only what it assigned;
- latency (off unless configured): a delay per call, and an attachment that stays ``attaching`` for a while;
- throttling (off unless configured): EC2's request token buckets per account and API, ``RequestLimitExceeded``.

Latency and throttling are set at start from VPCCNI_EC2_LATENCY / VPCCNI_EC2_THROTTLING (``on`` or ``off``) and at
run time through ``GET|POST /_vpccni/ec2/config`` (JSON), which the Java test harness uses.

A guard checks, before anything is patched, that the installed moto is the one this module was written against and
that every function it wraps still has the parameters it expects: when the pin moves, start fails loudly.
"""

import hashlib
import inspect
import ipaddress
import json
import logging
import os
import random
import threading
import time
from importlib import metadata

LOG = logging.getLogger("vpccni.ec2")

EXPECTED_MOTO = "5.1.54"

# Requests of the test harness (the test IMDS, the fabric, a test looking on) carry this header: they are not EC2 API
# calls on AWS, so they are neither throttled nor delayed and take no token from the account's buckets.
HARNESS_HEADER = "X-Vpccni-Harness"

# AWS reserves the first four addresses and the last one of every subnet.
RESERVED_AT_START = 4
PREFIX_LENGTH = 28
PREFIX_SIZE = 16

# The largest Ipv4AddressesPerInterface of any instance type: what an ENI that is not attached may hold.
UNATTACHED_ADDRESS_LIMIT = 50

# Typical figures, not documented by AWS (its API reference gives no latencies): an attachment is visible to the
# instance a few seconds after AttachNetworkInterface answers.
DEFAULT_LATENCY_MS = {
    "CreateNetworkInterface": 400,
    "AssignPrivateIpAddresses": 200,
    "UnassignPrivateIpAddresses": 150,
    "AttachNetworkInterface": 150,
    "DetachNetworkInterface": 150,
    "DeleteNetworkInterface": 150,
    "attachment": 3000,
}

# EC2's request token buckets by category (EC2 developer guide, "Request throttling for the Amazon EC2 API"):
# maximum capacity and refill per second. Each API of an account has a bucket of its own.
DEFAULT_BUCKETS = {
    "mutating": [50, 5],
    "non-mutating": [100, 20],
    "unfiltered-non-mutating": [50, 10],
}


class Config:
    """What is switched on; replaced whole by POST /_vpccni/ec2/config."""

    def __init__(self, latency_ms=None, throttling=False, buckets=None):
        self.latency_ms = dict(latency_ms or {})
        self.throttling = bool(throttling)
        self.buckets = {k: list(v) for k, v in (buckets or DEFAULT_BUCKETS).items()}

    @staticmethod
    def from_environment():
        latency = DEFAULT_LATENCY_MS if os.environ.get("VPCCNI_EC2_LATENCY", "off") == "on" else {}
        return Config(latency, os.environ.get("VPCCNI_EC2_THROTTLING", "off") == "on")

    @staticmethod
    def from_json(body):
        latency = body.get("latency", {})
        if latency == "default":
            latency = DEFAULT_LATENCY_MS
        if not isinstance(latency, dict) or not all(isinstance(v, (int, float)) and v >= 0 for v in latency.values()):
            raise ValueError("latency must be 'default' or an object of non-negative milliseconds per API")
        unknown = set(latency) - set(DEFAULT_LATENCY_MS)
        if unknown:
            raise ValueError(f"latency names unknown APIs: {sorted(unknown)}; known: {sorted(DEFAULT_LATENCY_MS)}")
        buckets = dict(DEFAULT_BUCKETS)
        for category, value in body.get("buckets", {}).items():
            if category not in DEFAULT_BUCKETS or not (isinstance(value, list) and len(value) == 2
                                                       and all(isinstance(n, (int, float)) and n > 0 for n in value)):
                raise ValueError(f"bucket {category!r} must be one of {sorted(DEFAULT_BUCKETS)} with [capacity, refill]")
            buckets[category] = value
        return Config(latency, body.get("throttling", False), buckets)

    def to_json(self):
        return {"latency": self.latency_ms, "throttling": self.throttling, "buckets": self.buckets,
                "moto": EXPECTED_MOTO}

    def delay(self, api):
        return self.latency_ms.get(api, 0) / 1000.0


class TokenBuckets:
    """Per account and API: a request takes a token or is refused; tokens come back at the refill rate."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets = {}

    def reset(self):
        with self._lock:
            self._buckets.clear()

    def take(self, key, capacity, refill):
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * refill)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1, now)
            return True


def api_category(action, params):
    if not action.startswith(("Describe", "Get", "List", "Search")):
        return "mutating"
    narrowed = any(k.startswith(("Filter", "MaxResults", "NextToken")) or k.endswith(("Ids", "Id", "Types"))
                   or ".Id" in k or "Id." in k for k in params)
    return "non-mutating" if narrowed else "unfiltered-non-mutating"


def _well_formed_mac(eni_id):
    # Locally administered and unicast, derived from the id so that it is stable for the ENI's life, as on EC2.
    digest = hashlib.sha1(eni_id.encode()).digest()
    return ":".join(f"{b:02x}" for b in (bytes([0x02]) + digest[:5]))


class SubnetAddresses:
    """The addresses of one subnet, as its ENIs hold them. Computed from the ENIs on every call, so nothing can
    drift from moto's own state; subnets are small enough (a /20 has 4,096 addresses) for that to be cheap."""

    def __init__(self, subnet, enis):
        self.network = ipaddress.IPv4Network(subnet.cidr_block)
        first = int(self.network.network_address)
        last = int(self.network.broadcast_address)
        self.reserved = set(range(first, first + RESERVED_AT_START)) | {last}
        self.taken = set()
        for eni in enis:
            for item in eni.private_ip_addresses:
                self.taken.add(int(ipaddress.IPv4Address(item["PrivateIpAddress"])))
            for prefix in getattr(eni, "ipv4_prefixes", []):
                block = ipaddress.IPv4Network(prefix["Ipv4Prefix"])
                self.taken.update(range(int(block.network_address), int(block.broadcast_address) + 1))

    def free_count(self):
        return self.network.num_addresses - len(self.reserved) - len(self.taken - self.reserved)

    def check_requested(self, address):
        ip = ipaddress.IPv4Address(address)
        if ip not in self.network:
            raise ec2_error("InvalidParameterValue",
                            f"Address {address} does not fall within the subnet's address range {self.network}")
        if int(ip) in self.reserved:
            raise ec2_error("InvalidParameterValue",
                            f"Address {address} is in subnet's reserved address range")
        if int(ip) in self.taken:
            raise ec2_error("InvalidIPAddress.InUse", f"The specified address {address} is already in use.")
        self.taken.add(int(ip))

    def allocate(self, count):
        first = int(self.network.network_address)
        free = [a for a in range(first, first + self.network.num_addresses)
                if a not in self.taken and a not in self.reserved]
        if len(free) < count:
            raise ec2_error("InsufficientFreeAddressesInSubnet",
                            "The specified subnet does not have enough free addresses to satisfy the request.")
        chosen = random.sample(free, count)
        self.taken.update(chosen)
        return [str(ipaddress.IPv4Address(a)) for a in chosen]

    def _block_free(self, start):
        return all(a not in self.taken and a not in self.reserved for a in range(start, start + PREFIX_SIZE))

    def check_requested_prefix(self, prefix):
        block = ipaddress.IPv4Network(prefix, strict=False)
        if block.prefixlen != PREFIX_LENGTH or str(block) != prefix or not block.subnet_of(self.network):
            raise ec2_error("InvalidParameterValue",
                            f"Prefix {prefix} is not an aligned /28 within the subnet's range {self.network}")
        start = int(block.network_address)
        if not self._block_free(start):
            raise ec2_error("InvalidParameterValue", f"Prefix {prefix} overlaps addresses already in use")
        self.taken.update(range(start, start + PREFIX_SIZE))

    def allocate_prefixes(self, count):
        first = int(self.network.network_address)
        blocks = [s for s in range(first, first + self.network.num_addresses, PREFIX_SIZE) if self._block_free(s)]
        if len(blocks) < count:
            raise ec2_error("InsufficientCidrBlocks",
                            "The specified subnet does not have enough free cidr blocks to satisfy the request.")
        chosen = random.sample(blocks, count)
        for start in chosen:
            self.taken.update(range(start, start + PREFIX_SIZE))
        return [f"{ipaddress.IPv4Address(s)}/{PREFIX_LENGTH}" for s in chosen]


class SubnetIpv6:
    """The IPv6 space of one subnet (its /64), as its ENIs hold it: single addresses and /80 prefixes."""

    PREFIX_LENGTH = 80

    def __init__(self, subnet, enis):
        blocks = [a.get("ipv6CidrBlock") for a in subnet.ipv6_cidr_block_associations.values()
                  if a.get("ipv6CidrBlockState", {}).get("State") == "associated"]
        if not blocks:
            raise ec2_error("InvalidParameterValue", f"Subnet {subnet.id} has no IPv6 CIDR block")
        self.network = ipaddress.IPv6Network(blocks[0])
        self.taken = set()
        self.prefixes = []
        for eni in enis:
            self.taken.update(int(ipaddress.IPv6Address(a)) for a in eni.ipv6_addresses)
            self.prefixes.extend(ipaddress.IPv6Network(p["Ipv6Prefix"]) for p in getattr(eni, "ipv6_prefixes", []))

    def _free(self, address):
        ip = ipaddress.IPv6Address(address)
        # The first four and the last address of the /64 are AWS's, as in IPv4.
        offset = address - int(self.network.network_address)
        return (address not in self.taken and 4 <= offset < self.network.num_addresses - 1
                and not any(ip in p for p in self.prefixes))

    def check_requested(self, address):
        ip = ipaddress.IPv6Address(address)
        if ip not in self.network:
            raise ec2_error("InvalidParameterValue",
                            f"Address {address} does not fall within the subnet's IPv6 range {self.network}")
        if not self._free(int(ip)):
            raise ec2_error("InvalidIPAddress.InUse", f"The specified address {address} is already in use.")
        self.taken.add(int(ip))

    def allocate(self, count):
        chosen = []
        base = int(self.network.network_address)
        while len(chosen) < count:
            candidate = base + random.randrange(4, self.network.num_addresses - 1)
            if self._free(candidate):
                self.taken.add(candidate)
                chosen.append(str(ipaddress.IPv6Address(candidate)))
        return chosen

    def _prefix_free(self, block):
        return (not any(block.overlaps(p) for p in self.prefixes)
                and not any(int(block.network_address) <= a <= int(block.broadcast_address) for a in self.taken))

    def check_requested_prefix(self, prefix):
        try:
            block = ipaddress.IPv6Network(prefix)
        except ValueError:
            block = None
        if block is None or block.prefixlen != self.PREFIX_LENGTH or not block.subnet_of(self.network):
            raise ec2_error("InvalidParameterValue",
                            f"Prefix {prefix} is not an aligned /80 within the subnet's range {self.network}")
        if not self._prefix_free(block):
            raise ec2_error("InvalidParameterValue", f"Prefix {prefix} overlaps addresses already in use")
        self.prefixes.append(block)

    def allocate_prefixes(self, count):
        blocks = 1 << (self.PREFIX_LENGTH - self.network.prefixlen)
        size = 1 << (128 - self.PREFIX_LENGTH)
        chosen = []
        for _ in range(count):
            for _ in range(1000):
                start = int(self.network.network_address) + random.randrange(blocks) * size
                block = ipaddress.IPv6Network((start, self.PREFIX_LENGTH))
                if self._prefix_free(block):
                    self.prefixes.append(block)
                    chosen.append(str(block))
                    break
            else:
                raise ec2_error("InsufficientCidrBlocks",
                                "The specified subnet does not have enough free cidr blocks to satisfy the request.")
        return chosen


def ec2_error(code, message):
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(code, message)


def install(ROUTER=None):
    """Checks the guard, then patches moto and registers the configuration endpoint. Raises when the guard fails."""
    from localstack.utils.patch import patch
    from moto.ec2.models import elastic_network_interfaces as eni_models
    from moto.ec2.models import instances as instance_models
    from moto.ec2.models import subnets as subnet_models
    from moto.ec2.models.instance_types import INSTANCE_TYPES
    from moto.ec2.exceptions import EC2ClientError
    from moto.core import responses as core_responses
    from moto.core.responses import ActionResult, EmptyResult
    from moto.ec2.responses.elastic_network_interfaces import ElasticNetworkInterfaces
    from moto.ec2.utils import add_tag_specification

    NetworkInterface = eni_models.NetworkInterface
    Attachment = eni_models.Attachment
    Backend = eni_models.NetworkInterfaceBackend
    Instance = instance_models.Instance
    Subnet = subnet_models.Subnet

    guard([
        (NetworkInterface.__init__, ["self", "ec2_backend", "subnet", "private_ip_address", "private_ip_addresses",
                                     "device_index", "public_ip_auto_assign", "group_ids", "description", "tags",
                                     "delete_on_termination", "kwargs"]),
        (Attachment.__init__, ["self", "eni"]),
        (NetworkInterface.get_filter_value, ["self", "filter_name", "method_name"]),
        (Backend.create_network_interface, ["self", "subnet", "private_ip_address", "private_ip_addresses",
                                            "group_ids", "description", "tags", "delete_on_termination", "kwargs"]),
        (Backend.attach_network_interface, ["self", "eni_id", "instance_id", "device_index"]),
        (Backend.delete_network_interface, ["self", "eni_id"]),
        (Backend.get_all_network_interfaces, ["self", "eni_ids", "filters"]),
        (Instance.prep_nics, ["self", "nic_spec", "private_ip", "associate_public_ip", "security_groups",
                              "ipv6_address_count"]),
        (Instance.terminate, ["self"]),
        (Instance.detach_eni, ["self", "eni"]),
        (Subnet.get_available_subnet_ip, ["self", "instance"]),
        (Subnet.request_ip, ["self", "ip", "instance"]),
        (core_responses.BaseResponse.call_action, ["self"]),
    ], [(Subnet, "available_ip_address_count"), (ElasticNetworkInterfaces, "create_network_interface"),
        (ElasticNetworkInterfaces, "assign_private_ip_addresses"),
        (ElasticNetworkInterfaces, "unassign_private_ip_addresses"),
        (ElasticNetworkInterfaces, "attach_network_interface"),
        (ElasticNetworkInterfaces, "detach_network_interface"),
        (ElasticNetworkInterfaces, "delete_network_interface"),
        (ElasticNetworkInterfaces, "modify_network_interface_attribute"),
        (ElasticNetworkInterfaces, "assign_ipv6_addresses"), (ElasticNetworkInterfaces, "unassign_ipv6_addresses")])
    if "m5.large" not in INSTANCE_TYPES or "MaximumNetworkInterfaces" not in INSTANCE_TYPES["m5.large"]["NetworkInfo"]:
        raise RuntimeError("moto's INSTANCE_TYPES no longer carries NetworkInfo limits")

    state = {"config": Config.from_environment()}
    buckets = TokenBuckets()
    # One lock for every allocation and limit check, so two requests never pick the same address or device slot.
    lock = threading.RLock()

    class RequestLimitExceeded(EC2ClientError):
        code = 503

        def __init__(self):
            super().__init__("RequestLimitExceeded", "Request limit exceeded.")

    def enis_of_subnet(backend, subnet_id):
        return [e for e in backend.enis.values() if e.subnet.id == subnet_id]

    def addresses(backend, subnet):
        return SubnetAddresses(subnet, enis_of_subnet(backend, subnet.id))

    def limits(instance):
        info = INSTANCE_TYPES.get(instance.instance_type, {}).get("NetworkInfo", {})
        return info.get("MaximumNetworkInterfaces", 3), info.get("Ipv4AddressesPerInterface", 10)

    def ipv6_limit(eni):
        info = INSTANCE_TYPES.get(eni.instance.instance_type, {}).get("NetworkInfo", {}) if eni.instance else {}
        return info.get("Ipv6AddressesPerInterface", UNATTACHED_ADDRESS_LIMIT)

    def ipv6_slots(eni):
        return len(eni.ipv6_addresses) + len(getattr(eni, "ipv6_prefixes", []))

    def ipv6_space(backend, subnet):
        return SubnetIpv6(subnet, enis_of_subnet(backend, subnet.id))

    def ipv6_params(response):
        listed = [a["Ipv6Address"] if isinstance(a, dict) else a for a in (response._get_param("Ipv6Addresses", []) or [])]
        prefixes = [p["Ipv6Prefix"] if isinstance(p, dict) else p for p in (response._get_param("Ipv6Prefixes", []) or [])]
        return (listed, response._get_int_param("Ipv6AddressCount", 0), prefixes,
                response._get_int_param("Ipv6PrefixCount", 0))

    def add_ipv6(backend, eni, listed, count, prefixes, prefix_count):
        """Validates everything first, then assigns: a refused request changes nothing."""
        if not (listed or count or prefixes or prefix_count):
            return [], []
        if (listed and count) or (prefixes and prefix_count):
            raise ec2_error("InvalidParameterCombination",
                            "Specify either IPv6 addresses or a count of them, and either prefixes or a count.")
        adding = len(listed) + count + len(prefixes) + prefix_count
        limit = ipv6_limit(eni)
        if ipv6_slots(eni) + adding > limit:
            # EC2's error reference names no IPv6-specific code; the IPv4 one is the closest documented.
            raise ec2_error("PrivateIpAddressLimitExceeded",
                            f"Number of IPv6 addresses and prefixes on {eni.id} would exceed the limit {limit}.")
        space = ipv6_space(backend, eni.subnet)
        for address in listed:
            space.check_requested(address)
        for prefix in prefixes:
            space.check_requested_prefix(prefix)
        new_addresses = list(listed) + (space.allocate(count) if count else [])
        new_prefixes = list(prefixes) + (space.allocate_prefixes(prefix_count) if prefix_count else [])
        eni.ipv6_addresses.extend(new_addresses)
        eni.ipv6_prefixes.extend({"Ipv6Prefix": p} for p in new_prefixes)
        return new_addresses, new_prefixes

    def slots(eni):
        return len(eni.private_ip_addresses) + len(getattr(eni, "ipv4_prefixes", []))

    def address_limit(eni):
        return limits(eni.instance)[1] if eni.instance is not None else UNATTACHED_ADDRESS_LIMIT

    def harness(response):
        return response.headers.get(HARNESS_HEADER) is not None

    def wait(response, api):
        if not harness(response):
            time.sleep(state["config"].delay(api))

    # --- models -------------------------------------------------------------------------------------------------

    @patch(NetworkInterface.__init__)
    def eni_init(fn, self, *args, **kwargs):
        fn(self, *args, **kwargs)
        self.mac_address = _well_formed_mac(self.id)
        self.ipv4_prefixes = []
        self.ipv6_prefixes = []
        self.vpccni_attached_at = 0.0

    @patch(Attachment.__init__)
    def attachment_init(fn, self, eni):
        fn(self, eni)
        if time.monotonic() < getattr(eni, "vpccni_attached_at", 0.0):
            self.status = "attaching"

    @patch(NetworkInterface.get_filter_value)
    def eni_filter(fn, self, filter_name, method_name=None):
        if filter_name == "attachment.status":
            return self.attachment.status if self.attachment else None
        if filter_name == "attachment.device-index":
            return str(self.device_index) if self.attachment else None
        return fn(self, filter_name, method_name)

    def free_count(self):
        return addresses(self.ec2_backend, self).free_count()

    Subnet.available_ip_address_count = property(free_count)

    @patch(Subnet.get_available_subnet_ip)
    def subnet_next_ip(fn, self, instance):
        return addresses(self.ec2_backend, self).allocate(1)[0]

    @patch(Subnet.request_ip)
    def subnet_request_ip(fn, self, ip, instance):
        addresses(self.ec2_backend, self).check_requested(ip)

    @patch(Instance.prep_nics)
    def run_instance_nics(fn, self, nic_spec, *args, **kwargs):
        with lock:
            fn(self, nic_spec, *args, **kwargs)
            primary = self.nics.get(0)
            explicit = any(int(n.get("DeviceIndex", -1)) == 0 and "DeleteOnTermination" in n for n in nic_spec)
            if primary is not None and not explicit:
                # EC2 creates the primary ENI of RunInstances with DeleteOnTermination=true.
                primary.delete_on_termination = True

    @patch(Instance.terminate)
    def terminate(fn, self):
        with lock:
            keep = [nic for nic in self.nics.values() if not nic.delete_on_termination]
            state_before = fn(self)
            # EC2 detaches the ENIs it does not delete; they stay, available, until someone deletes them.
            for nic in keep:
                if nic.instance is self:
                    self.detach_eni(nic)
            return state_before

    # --- handlers -----------------------------------------------------------------------------------------------

    def create_network_interface(self):
        subnet = self.ec2_backend.get_subnet(self._get_param("SubnetId"))
        primary_ip = self._get_param("PrivateIpAddress")
        listed = self._get_param("PrivateIpAddresses", []) or []
        secondary_count = self._get_int_param("SecondaryPrivateIpAddressCount", 0)
        prefix_count = self._get_int_param("Ipv4PrefixCount", 0)
        prefixes = [p["Ipv4Prefix"] if isinstance(p, dict) else p for p in (self._get_param("Ipv4Prefixes", []) or [])]
        if (prefix_count or prefixes) and (secondary_count or len(listed) > 1):
            raise ec2_error("InvalidParameterCombination",
                            "Secondary private IP addresses and IPv4 prefixes cannot be specified together.")
        if prefix_count and prefixes:
            raise ec2_error("InvalidParameterCombination", "Ipv4PrefixCount and Ipv4Prefixes cannot be combined.")
        self.error_on_dryrun()
        wait(self, "CreateNetworkInterface")
        with lock:
            pool = addresses(self.ec2_backend, subnet)
            wanted = []  # (address, primary)
            for item in listed:
                address = item["PrivateIpAddress"] if isinstance(item, dict) else item
                primary = bool(item.get("Primary")) if isinstance(item, dict) else False
                pool.check_requested(address)
                wanted.append((address, primary))
            if primary_ip and primary_ip not in [a for a, _ in wanted]:
                pool.check_requested(primary_ip)
                wanted.insert(0, (primary_ip, True))
            if not any(p for _, p in wanted):
                if wanted:
                    wanted[0] = (wanted[0][0], True)
                else:
                    wanted.append((pool.allocate(1)[0], True))
            total = len(wanted) + secondary_count + prefix_count + len(prefixes)
            if total > UNATTACHED_ADDRESS_LIMIT:
                raise ec2_error("PrivateIpAddressLimitExceeded",
                                f"Number of private addresses {total} exceeds the limit {UNATTACHED_ADDRESS_LIMIT}.")
            wanted += [(a, False) for a in pool.allocate(secondary_count)] if secondary_count else []
            for prefix in prefixes:
                pool.check_requested_prefix(prefix)
            chosen_prefixes = prefixes + (pool.allocate_prefixes(prefix_count) if prefix_count else [])
            primary_address = next(a for a, p in wanted if p)
            eni = self.ec2_backend.create_network_interface(
                subnet, primary_address,
                [{"Primary": p, "PrivateIpAddress": a} for a, p in wanted],
                self._get_param("Groups", []), self._get_param("Description"),
                add_tag_specification(self._get_param("TagSpecifications", [])))
            eni.ipv4_prefixes = [{"Ipv4Prefix": p} for p in chosen_prefixes]
            try:
                add_ipv6(self.ec2_backend, eni, *ipv6_params(self))
            except Exception:
                # Nothing of a refused request stays: the ENI was created only just now, under the same lock.
                self.ec2_backend.enis.pop(eni.id, None)
                raise
        LOG.info("created %s in %s: %s, prefixes %s", eni.id, subnet.id, [a for a, _ in wanted], chosen_prefixes)
        return ActionResult({"NetworkInterface": eni})

    def assign_private_ip_addresses(self):
        eni_id = self._get_param("NetworkInterfaceId")
        count = self._get_int_param("SecondaryPrivateIpAddressCount", 0)
        listed = self._get_param("PrivateIpAddresses", []) or []
        prefix_count = self._get_int_param("Ipv4PrefixCount", 0)
        prefixes = [p["Ipv4Prefix"] if isinstance(p, dict) else p for p in (self._get_param("Ipv4Prefixes", []) or [])]
        asked = [bool(count), bool(listed), bool(prefix_count), bool(prefixes)]
        if sum(asked) != 1:
            raise ec2_error("InvalidParameterCombination", "Specify exactly one of SecondaryPrivateIpAddressCount, "
                            "PrivateIpAddresses, Ipv4PrefixCount and Ipv4Prefixes.")
        wait(self, "AssignPrivateIpAddresses")
        with lock:
            eni = self.ec2_backend.get_network_interface(eni_id)
            pool = addresses(self.ec2_backend, eni.subnet)
            adding = count + len(listed) + prefix_count + len(prefixes)
            limit = address_limit(eni)
            if slots(eni) + adding > limit:
                raise ec2_error("PrivateIpAddressLimitExceeded",
                                f"Number of private addresses will exceed limit: {eni_id} has {slots(eni)}, "
                                f"{adding} more would exceed {limit}.")
            for address in listed:
                pool.check_requested(address)
            for prefix in prefixes:
                pool.check_requested_prefix(prefix)
            new_ips = list(listed) + (pool.allocate(count) if count else [])
            new_prefixes = list(prefixes) + (pool.allocate_prefixes(prefix_count) if prefix_count else [])
            eni.private_ip_addresses.extend({"Primary": False, "PrivateIpAddress": a} for a in new_ips)
            eni.ipv4_prefixes.extend({"Ipv4Prefix": p} for p in new_prefixes)
        LOG.info("assigned to %s: %s, prefixes %s", eni_id, new_ips, new_prefixes)
        result = {"NetworkInterfaceId": eni_id,
                  "AssignedPrivateIpAddresses": [{"PrivateIpAddress": a} for a in new_ips]}
        if new_prefixes:
            result["AssignedIpv4Prefixes"] = [{"Ipv4Prefix": p} for p in new_prefixes]
        return ActionResult(result)

    def unassign_private_ip_addresses(self):
        eni_id = self._get_param("NetworkInterfaceId")
        listed = self._get_param("PrivateIpAddresses", []) or []
        prefixes = [p["Ipv4Prefix"] if isinstance(p, dict) else p for p in (self._get_param("Ipv4Prefixes", []) or [])]
        if bool(listed) == bool(prefixes):
            raise ec2_error("InvalidParameterCombination", "Specify either PrivateIpAddresses or Ipv4Prefixes.")
        wait(self, "UnassignPrivateIpAddresses")
        with lock:
            eni = self.ec2_backend.get_network_interface(eni_id)
            held = {i["PrivateIpAddress"]: i for i in eni.private_ip_addresses}
            missing = [a for a in listed if a not in held]
            if missing:
                raise ec2_error("InvalidParameterValue",
                                f"Some of the specified addresses are not assigned to interface {eni_id}: {missing}")
            if any(held[a].get("Primary") for a in listed):
                raise ec2_error("InvalidParameterValue",
                                f"The primary address of {eni_id} cannot be unassigned.")
            held_prefixes = {p["Ipv4Prefix"] for p in eni.ipv4_prefixes}
            missing = [p for p in prefixes if p not in held_prefixes]
            if missing:
                raise ec2_error("InvalidParameterValue",
                                f"Some of the specified prefixes are not assigned to interface {eni_id}: {missing}")
            eni.private_ip_addresses[:] = [i for i in eni.private_ip_addresses if i["PrivateIpAddress"] not in listed]
            eni.ipv4_prefixes[:] = [p for p in eni.ipv4_prefixes if p["Ipv4Prefix"] not in prefixes]
        LOG.info("unassigned from %s: %s, prefixes %s", eni_id, listed, prefixes)
        return EmptyResult()

    def attach_network_interface(self):
        eni_id = self._get_param("NetworkInterfaceId")
        instance_id = self._get_param("InstanceId")
        device_index = int(self._get_param("DeviceIndex"))
        self.error_on_dryrun()
        config = state["config"]
        wait(self, "AttachNetworkInterface")
        with lock:
            eni = self.ec2_backend.get_network_interface(eni_id)
            instance = self.ec2_backend.get_instance(instance_id)
            if eni.instance is not None:
                raise ec2_error("InvalidNetworkInterface.InUse", f"Interface: [{eni_id}] in use.")
            if instance.state != "running" and instance.state != "pending":
                raise ec2_error("IncorrectInstanceState",
                                f"The instance '{instance_id}' is not in a state from which it can be attached.")
            max_enis, per_eni = limits(instance)
            if len(instance.nics) >= max_enis:
                raise ec2_error("AttachmentLimitExceeded",
                                f"Interface count {len(instance.nics) + 1} can not exceed the limit for "
                                f"{instance.instance_type}")
            if device_index in instance.nics:
                raise ec2_error("InvalidParameterValue",
                                f"Instance '{instance_id}' already has an interface attached at device index "
                                f"'{device_index}'.")
            if slots(eni) > per_eni:
                raise ec2_error("PrivateIpAddressLimitExceeded",
                                f"{eni_id} has {slots(eni)} addresses and prefixes; {instance.instance_type} allows "
                                f"{per_eni} per interface.")
            attachment_id = instance.attach_eni(eni, device_index)
            eni.delete_on_termination = False
            eni.vpccni_attached_at = time.monotonic() + config.delay("attachment")
        LOG.info("attached %s to %s at device %d (%s)", eni_id, instance_id, device_index, attachment_id)
        return ActionResult({"AttachmentId": attachment_id, "NetworkCardIndex": 0})

    def detach_network_interface(self):
        attachment_id = self._get_param("AttachmentId")
        self.error_on_dryrun()
        wait(self, "DetachNetworkInterface")
        with lock:
            self.ec2_backend.detach_network_interface(attachment_id)
        return EmptyResult()

    def delete_network_interface(self):
        eni_id = self._get_param("NetworkInterfaceId")
        self.error_on_dryrun()
        wait(self, "DeleteNetworkInterface")
        with lock:
            eni = self.ec2_backend.get_network_interface(eni_id)
            if eni.instance is not None:
                raise ec2_error("InvalidNetworkInterface.InUse",
                                f"The network interface '{eni_id}' is currently in use.")
            self.ec2_backend.delete_network_interface(eni_id)
        return EmptyResult()

    def modify_network_interface_attribute(self):
        eni_id = self._get_param("NetworkInterfaceId")
        attachment = self._get_param("Attachment")
        self.error_on_dryrun()
        with lock:
            eni = self.ec2_backend.get_network_interface(eni_id)
            if attachment:
                wanted = attachment.get("AttachmentId")
                if eni.attachment_id is None or wanted != eni.attachment_id:
                    raise ec2_error("InvalidAttachmentID.NotFound",
                                    f"The attachment ID '{wanted}' does not exist for {eni_id}")
                value = attachment.get("DeleteOnTermination")
                eni.delete_on_termination = str(value).lower() == "true"
            groups = self._get_param("Groups", [])
            source_dest = self._get_param("SourceDestCheck.Value")
            if source_dest is None:
                sdc = self._get_param("SourceDestCheck")
                source_dest = sdc.get("Value") if isinstance(sdc, dict) else sdc
            description = self._get_param("Description.Value")
            if description is None:
                d = self._get_param("Description")
                description = d.get("Value") if isinstance(d, dict) else d
            self.ec2_backend.modify_network_interface_attribute(eni_id, groups, source_dest, description)
        return EmptyResult()

    def assign_ipv6_addresses(self):
        eni_id = self._get_param("NetworkInterfaceId")
        params = ipv6_params(self)
        if not any(params):
            raise ec2_error("MissingParameter", "Specify IPv6 addresses, a count of them, prefixes or a count of them.")
        wait(self, "AssignPrivateIpAddresses")
        with lock:
            eni = self.ec2_backend.get_network_interface(eni_id)
            addresses, prefixes = add_ipv6(self.ec2_backend, eni, *params)
        LOG.info("assigned IPv6 to %s: %s, prefixes %s", eni_id, addresses, prefixes)
        result = {"NetworkInterfaceId": eni_id, "AssignedIpv6Addresses": addresses}
        if prefixes:
            result["AssignedIpv6Prefixes"] = prefixes
        return ActionResult(result)

    def unassign_ipv6_addresses(self):
        eni_id = self._get_param("NetworkInterfaceId")
        listed, _, prefixes, _ = ipv6_params(self)
        if not listed and not prefixes:
            raise ec2_error("MissingParameter", "Specify the IPv6 addresses or prefixes to unassign.")
        wait(self, "UnassignPrivateIpAddresses")
        with lock:
            eni = self.ec2_backend.get_network_interface(eni_id)
            missing = [a for a in listed if a not in eni.ipv6_addresses] + [
                p for p in prefixes if p not in [x["Ipv6Prefix"] for x in eni.ipv6_prefixes]]
            if missing:
                raise ec2_error("InvalidParameterValue",
                                f"Some of the specified addresses or prefixes are not assigned to {eni_id}: {missing}")
            eni.ipv6_addresses[:] = [a for a in eni.ipv6_addresses if a not in listed]
            eni.ipv6_prefixes[:] = [x for x in eni.ipv6_prefixes if x["Ipv6Prefix"] not in prefixes]
        result = {"NetworkInterfaceId": eni_id, "UnassignedIpv6Addresses": listed}
        if prefixes:
            result["UnassignedIpv6Prefixes"] = prefixes
        return ActionResult(result)

    for handler in (create_network_interface, assign_private_ip_addresses, unassign_private_ip_addresses,
                    assign_ipv6_addresses, unassign_ipv6_addresses,
                    attach_network_interface, detach_network_interface, delete_network_interface,
                    modify_network_interface_attribute):
        setattr(ElasticNetworkInterfaces, handler.__name__, handler)

    # --- every EC2 call: throttling ------------------------------------------------------------------------------

    @patch(core_responses.BaseResponse.call_action)
    def call_action(fn, self):
        config = state["config"]
        if config.throttling and getattr(self, "service_name", "") == "ec2" and not harness(self):
            action = self._get_action()
            params = self.querystring if isinstance(getattr(self, "querystring", None), dict) else {}
            category = api_category(action, params)
            capacity, refill = config.buckets[category]
            if not buckets.take((self.current_account, action), capacity, refill):
                LOG.info("throttled %s for account %s (%s bucket)", action, self.current_account, category)
                error = RequestLimitExceeded()
                headers = dict(self.response_headers)
                headers.update(dict(error.get_headers() or []))
                return error.code, headers, error.description
        return fn(self)

    # --- configuration endpoint ---------------------------------------------------------------------------------

    if ROUTER is not None:
        from localstack.http import Response

        def config_endpoint(request, **kwargs):
            if request.method == "POST":
                try:
                    body = json.loads(request.get_data() or b"{}")
                    state["config"] = Config.from_json(body)
                except (ValueError, TypeError, AttributeError) as e:
                    return Response(json.dumps({"error": str(e)}), 400, mimetype="application/json")
                buckets.reset()
                LOG.info("configuration now %s", state["config"].to_json())
            return Response(json.dumps(state["config"].to_json()), 200, mimetype="application/json")

        ROUTER.add("/_vpccni/ec2/config", config_endpoint, methods=["GET", "POST"])
    LOG.info("EC2 fidelity layer installed over moto-ext %s: %s", EXPECTED_MOTO, state["config"].to_json())
    return state


def guard(functions, attributes):
    version = metadata.version("moto-ext")
    if version != EXPECTED_MOTO:
        raise RuntimeError(f"the EC2 fidelity layer was written against moto-ext {EXPECTED_MOTO}, found {version}: "
                           "re-check every patched function before moving the pin")
    for fn, expected in functions:
        names = list(inspect.signature(fn).parameters)
        if names != expected:
            raise RuntimeError(f"moto changed {fn.__qualname__}: parameters {names}, the fidelity layer expects "
                               f"{expected}")
    for owner, name in attributes:
        if not hasattr(owner, name):
            raise RuntimeError(f"moto no longer has {owner.__name__}.{name}, which the fidelity layer replaces")
