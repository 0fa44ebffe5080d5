"""Unit tests of the EC2 fidelity layer's pure parts and its guard; run by `localstack.sh selftest` in the pinned
virtualenv (the end-to-end contract is EmulatorEc2ContractTest, in Java, against the running emulator)."""

import ipaddress
import types
import unittest
from unittest import mock

import vpccni_ec2_fidelity as fidelity


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def subnet(cidr):
    return types.SimpleNamespace(cidr_block=cidr)


def eni(*addresses, prefixes=()):
    return types.SimpleNamespace(private_ip_addresses=[{"PrivateIpAddress": a} for a in addresses],
                                 ipv4_prefixes=[{"Ipv4Prefix": p} for p in prefixes])


class GuardTest(unittest.TestCase):
    def test_a_changed_signature_stops_the_install(self):
        def moved(self, eni_id, new_parameter):
            pass

        with self.assertRaisesRegex(RuntimeError, "moved.*new_parameter"):
            fidelity.guard([(moved, ["self", "eni_id"])], [])

    def test_a_missing_attribute_stops_the_install(self):
        with self.assertRaisesRegex(RuntimeError, "no longer has object.gone"):
            fidelity.guard([], [(object, "gone")])

    def test_another_moto_version_stops_the_install(self):
        with mock.patch.object(fidelity.metadata, "version", return_value="9.9.9"):
            with self.assertRaisesRegex(RuntimeError, "found 9.9.9"):
                fidelity.guard([], [])


class TokenBucketsTest(unittest.TestCase):
    def test_a_bucket_empties_then_refills_at_its_rate(self):
        clock = Clock()
        buckets = fidelity.TokenBuckets(clock)
        taken = [buckets.take("k", 3, 2) for _ in range(4)]
        self.assertEqual(taken, [True, True, True, False])
        clock.now = 0.5  # one token back
        self.assertEqual([buckets.take("k", 3, 2), buckets.take("k", 3, 2)], [True, False])
        clock.now = 100  # never more than the capacity
        self.assertEqual([buckets.take("k", 3, 2) for _ in range(4)], [True, True, True, False])

    def test_each_key_has_its_own_bucket(self):
        buckets = fidelity.TokenBuckets(Clock())
        self.assertTrue(buckets.take("a", 1, 1))
        self.assertFalse(buckets.take("a", 1, 1))
        self.assertTrue(buckets.take("b", 1, 1))

    def test_categories_follow_the_kind_of_call(self):
        self.assertEqual(fidelity.api_category("CreateNetworkInterface", {}), "mutating")
        self.assertEqual(fidelity.api_category("DescribeNetworkInterfaces", {"Filter.1.Name": ["vpc-id"]}),
                         "non-mutating")
        self.assertEqual(fidelity.api_category("DescribeSubnets", {}), "unfiltered-non-mutating")


class SubnetAddressesTest(unittest.TestCase):
    def test_the_five_reserved_addresses_are_never_handed_out(self):
        pool = fidelity.SubnetAddresses(subnet("10.0.0.0/28"), [])
        handed = pool.allocate(11)
        reserved = {"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.15"}
        self.assertFalse(reserved & set(handed))
        with self.assertRaises(Exception) as refused:
            pool.allocate(1)
        self.assertEqual(refused.exception.error_type, "InsufficientFreeAddressesInSubnet")

    def test_free_count_counts_a_prefix_as_sixteen(self):
        pool = fidelity.SubnetAddresses(subnet("10.0.0.0/24"), [eni("10.0.0.10", prefixes=["10.0.0.32/28"])])
        self.assertEqual(pool.free_count(), 256 - 5 - 17)

    def test_prefixes_are_aligned_and_skip_blocks_with_a_taken_address(self):
        # Every /28 but 10.0.0.48/28 holds a taken or reserved address.
        taken = [str(ipaddress.IPv4Address(0x0A000000 + start + 5)) for start in range(0, 256, 16) if start != 48]
        pool = fidelity.SubnetAddresses(subnet("10.0.0.0/24"), [eni(*taken)])
        self.assertEqual(pool.allocate_prefixes(1), ["10.0.0.48/28"])
        with self.assertRaises(Exception) as refused:
            pool.allocate_prefixes(1)
        self.assertEqual(refused.exception.error_type, "InsufficientCidrBlocks")
        self.assertGreater(pool.free_count(), 0)

    def test_a_requested_address_in_use_is_refused(self):
        pool = fidelity.SubnetAddresses(subnet("10.0.0.0/24"), [eni("10.0.0.10")])
        with self.assertRaises(Exception) as refused:
            pool.check_requested("10.0.0.10")
        self.assertEqual(refused.exception.error_type, "InvalidIPAddress.InUse")


class SubnetIpv6Test(unittest.TestCase):
    def subnet(self):
        return types.SimpleNamespace(id="subnet-1", ipv6_cidr_block_associations={"a": {
            "ipv6CidrBlock": "2001:db8:0:1::/64", "ipv6CidrBlockState": {"State": "associated"}}})

    def test_slash80_prefixes_are_aligned_and_disjoint_from_addresses(self):
        taken = types.SimpleNamespace(ipv6_addresses=["2001:db8:0:1::10"], ipv6_prefixes=[])
        space = fidelity.SubnetIpv6(self.subnet(), [taken])
        prefixes = space.allocate_prefixes(20)
        blocks = [ipaddress.IPv6Network(p) for p in prefixes]
        self.assertTrue(all(b.prefixlen == 80 for b in blocks))
        self.assertEqual(len(set(blocks)), 20)
        self.assertFalse(any(ipaddress.IPv6Address("2001:db8:0:1::10") in b for b in blocks))
        self.assertFalse(any(ipaddress.IPv6Address(a) in b for a in space.allocate(50) for b in blocks))

    def test_an_address_in_use_or_outside_the_subnet_is_refused(self):
        taken = types.SimpleNamespace(ipv6_addresses=["2001:db8:0:1::10"], ipv6_prefixes=[])
        space = fidelity.SubnetIpv6(self.subnet(), [taken])
        for address, code in (("2001:db8:0:1::10", "InvalidIPAddress.InUse"),
                              ("2001:db8:0:2::10", "InvalidParameterValue")):
            with self.assertRaises(Exception) as refused:
                space.check_requested(address)
            self.assertEqual(refused.exception.error_type, code)

    def test_a_subnet_without_ipv6_is_refused(self):
        with self.assertRaises(Exception) as refused:
            fidelity.SubnetIpv6(types.SimpleNamespace(id="subnet-2", ipv6_cidr_block_associations={}), [])
        self.assertEqual(refused.exception.error_type, "InvalidParameterValue")


if __name__ == "__main__":
    unittest.main()
