"""The EC2 instance types EMR supports, with their sizes: ListSupportedInstanceTypes' data.

Which families EMR supports comes from the Amazon EMR Management Guide ("Supported instance types");
each type's vCPUs, memory and instance-store disks are EC2's published specifications. Availability
follows the release rules AWS documents: the fifth-generation Intel/AMD families from emr-5.13.0, the
Graviton2 (arm64) families from emr-5.31.0 and emr-6.1.0. No instance is ever launched: lakebox runs a
cluster's steps on this machine, so these are what a cluster may ask for, not what it gets.
"""

from __future__ import annotations

#: family: (first release of 5.x, first release of 6.x and later, architecture, {size: (vCPU, GiB, disks, GB each)})
_FAMILIES: dict[str, tuple[tuple[int, ...], tuple[int, ...], str, dict[str, tuple[int, float, int, int]]]] = {
    "m4": ((4, 0, 0), (6, 0, 0), "x86_64", {
        "large": (2, 8, 0, 0), "xlarge": (4, 16, 0, 0), "2xlarge": (8, 32, 0, 0), "4xlarge": (16, 64, 0, 0),
        "10xlarge": (40, 160, 0, 0), "16xlarge": (64, 256, 0, 0)}),
    "c4": ((4, 0, 0), (6, 0, 0), "x86_64", {
        "large": (2, 3.75, 0, 0), "xlarge": (4, 7.5, 0, 0), "2xlarge": (8, 15, 0, 0), "4xlarge": (16, 30, 0, 0),
        "8xlarge": (36, 60, 0, 0)}),
    "r4": ((4, 0, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 30.5, 0, 0), "2xlarge": (8, 61, 0, 0), "4xlarge": (16, 122, 0, 0), "8xlarge": (32, 244, 0, 0),
        "16xlarge": (64, 488, 0, 0)}),
    "i3": ((4, 0, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 30.5, 1, 950), "2xlarge": (8, 61, 1, 1900), "4xlarge": (16, 122, 2, 1900),
        "8xlarge": (32, 244, 4, 1900), "16xlarge": (64, 488, 8, 1900)}),
    "d2": ((4, 0, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 30.5, 3, 2000), "2xlarge": (8, 61, 6, 2000), "4xlarge": (16, 122, 12, 2000),
        "8xlarge": (36, 244, 24, 2000)}),
    "m5": ((5, 13, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 16, 0, 0), "2xlarge": (8, 32, 0, 0), "4xlarge": (16, 64, 0, 0), "8xlarge": (32, 128, 0, 0),
        "12xlarge": (48, 192, 0, 0), "16xlarge": (64, 256, 0, 0), "24xlarge": (96, 384, 0, 0)}),
    "m5a": ((5, 13, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 16, 0, 0), "2xlarge": (8, 32, 0, 0), "4xlarge": (16, 64, 0, 0), "8xlarge": (32, 128, 0, 0),
        "12xlarge": (48, 192, 0, 0), "16xlarge": (64, 256, 0, 0), "24xlarge": (96, 384, 0, 0)}),
    "m5d": ((5, 13, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 16, 1, 150), "2xlarge": (8, 32, 1, 300), "4xlarge": (16, 64, 2, 300),
        "8xlarge": (32, 128, 2, 600), "12xlarge": (48, 192, 2, 900), "16xlarge": (64, 256, 4, 600),
        "24xlarge": (96, 384, 4, 900)}),
    "c5": ((5, 13, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 8, 0, 0), "2xlarge": (8, 16, 0, 0), "4xlarge": (16, 32, 0, 0), "9xlarge": (36, 72, 0, 0),
        "12xlarge": (48, 96, 0, 0), "18xlarge": (72, 144, 0, 0), "24xlarge": (96, 192, 0, 0)}),
    "c5d": ((5, 13, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 8, 1, 100), "2xlarge": (8, 16, 1, 200), "4xlarge": (16, 32, 1, 400), "9xlarge": (36, 72, 1, 900),
        "12xlarge": (48, 96, 2, 900), "18xlarge": (72, 144, 2, 900), "24xlarge": (96, 192, 4, 900)}),
    "r5": ((5, 13, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 32, 0, 0), "2xlarge": (8, 64, 0, 0), "4xlarge": (16, 128, 0, 0), "8xlarge": (32, 256, 0, 0),
        "12xlarge": (48, 384, 0, 0), "16xlarge": (64, 512, 0, 0), "24xlarge": (96, 768, 0, 0)}),
    "r5a": ((5, 13, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 32, 0, 0), "2xlarge": (8, 64, 0, 0), "4xlarge": (16, 128, 0, 0), "8xlarge": (32, 256, 0, 0),
        "12xlarge": (48, 384, 0, 0), "16xlarge": (64, 512, 0, 0), "24xlarge": (96, 768, 0, 0)}),
    "r5d": ((5, 13, 0), (6, 0, 0), "x86_64", {
        "xlarge": (4, 32, 1, 150), "2xlarge": (8, 64, 1, 300), "4xlarge": (16, 128, 2, 300),
        "8xlarge": (32, 256, 2, 600), "12xlarge": (48, 384, 2, 900), "16xlarge": (64, 512, 4, 600),
        "24xlarge": (96, 768, 4, 900)}),
    "m6g": ((5, 31, 0), (6, 1, 0), "arm64", {
        "xlarge": (4, 16, 0, 0), "2xlarge": (8, 32, 0, 0), "4xlarge": (16, 64, 0, 0), "8xlarge": (32, 128, 0, 0),
        "12xlarge": (48, 192, 0, 0), "16xlarge": (64, 256, 0, 0)}),
    "c6g": ((5, 31, 0), (6, 1, 0), "arm64", {
        "xlarge": (4, 8, 0, 0), "2xlarge": (8, 16, 0, 0), "4xlarge": (16, 32, 0, 0), "8xlarge": (32, 64, 0, 0),
        "12xlarge": (48, 96, 0, 0), "16xlarge": (64, 128, 0, 0)}),
    "r6g": ((5, 31, 0), (6, 1, 0), "arm64", {
        "xlarge": (4, 32, 0, 0), "2xlarge": (8, 64, 0, 0), "4xlarge": (16, 128, 0, 0), "8xlarge": (32, 256, 0, 0),
        "12xlarge": (48, 384, 0, 0), "16xlarge": (64, 512, 0, 0)}),
}


def _available(release: tuple[int, ...], since_5: tuple[int, ...], since_6: tuple[int, ...]) -> bool:
    return release >= since_6 if release >= (6, 0, 0) else release >= since_5


def supported_instance_types(release: tuple[int, ...]) -> list[dict]:
    """The SupportedInstanceType documents of the release `(major, minor, patch)`, by family then size."""
    found = []
    for family, (since_5, since_6, arch, sizes) in _FAMILIES.items():
        if not _available(release, since_5, since_6):
            continue
        for size, (vcpu, memory, disks, disk_gb) in sizes.items():
            found.append({
                "Type": f"{family}.{size}", "MemoryGB": float(memory), "StorageGB": disks * disk_gb, "VCPU": vcpu,
                "Is64BitsOnly": True, "InstanceFamilyId": family, "EbsOptimizedAvailable": True,
                "EbsOptimizedByDefault": True, "NumberOfDisks": disks, "EbsStorageOnly": disks == 0,
                "Architecture": arch,
            })
    return found

