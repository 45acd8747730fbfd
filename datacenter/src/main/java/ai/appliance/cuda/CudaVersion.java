package ai.appliance.cuda;

/** A CUDA version as the driver and NVRTC report it: major.minor. */
public record CudaVersion(int major, int minor) implements Comparable<CudaVersion> {

    /** cuDriverGetVersion's encoding, 1000 × major + 10 × minor: 12040 is CUDA 12.4, 13000 is 13.0. */
    public static CudaVersion decode(int encoded) {
        if (encoded <= 0) throw new IllegalArgumentException("not a CUDA version: " + encoded);
        return new CudaVersion(encoded / 1000, encoded % 1000 / 10);
    }

    @Override
    public int compareTo(CudaVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
