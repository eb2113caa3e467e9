package mdm.api.eval;

import java.util.List;
import java.util.Map;

/**
 * What a feature network made of a set of images: one feature vector per image (row-major
 * {@code count × dim}, float32 as the network computes them) and, per image, whether its
 * classifier agrees with each attribute the image's condition names (empty when an image carries
 * no condition the network can read).
 *
 * @param network     the feature network's name
 * @param weightsHash the hash of its weights (metrics are only comparable within one hash)
 * @param checks      per image, head name → agreement; an empty list when no image was checked
 */
public record Features(String network, String weightsHash, int count, int dim, float[] values,
                       List<Map<String, Boolean>> checks) {
    public Features {
        if (count < 0 || dim < 1 || values.length != (long) count * dim) {
            throw new IllegalArgumentException(values.length + " values are not " + count + " vectors of " + dim);
        }
        checks = List.copyOf(checks);
    }

    /** Feature {@code j} of vector {@code i}. */
    public float get(int i, int j) {
        return values[i * dim + j];
    }

    /** The first {@code n} vectors (and their checks). */
    public Features head(int n) {
        if (n >= count) {
            return this;
        }
        float[] v = new float[n * dim];
        System.arraycopy(values, 0, v, 0, v.length);
        return new Features(network, weightsHash, n, dim, v, checks.isEmpty() ? checks : checks.subList(0, n));
    }
}
