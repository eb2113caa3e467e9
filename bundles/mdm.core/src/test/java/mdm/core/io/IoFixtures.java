package mdm.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;

/** Paths of the test files and exact comparisons of state dicts. */
final class IoFixtures {
    private IoFixtures() {
    }

    /** A file made by make_io_fixtures.py (src/test/resources/io). */
    static Path resource(String name) {
        try {
            return Path.of(IoFixtures.class.getResource("/io/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource io/" + name, e);
        }
    }

    /** A file under the repository's testdata folder (surefire sets mdm.testdata). */
    static Path testdata(String relative) {
        String root = System.getProperty("mdm.testdata");
        if (root == null) {
            throw new IllegalStateException("system property mdm.testdata is not set (surefire sets it)");
        }
        return Path.of(root, relative);
    }

    /** Same keys in the same order, and every array with the same type, shape and bits. */
    static void assertSameBits(Map<String, NDArray> expected, Map<String, NDArray> actual) {
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(actual.keySet()));
        expected.forEach((k, e) -> assertSameBits(k, e, actual.get(k)));
    }

    static void assertSameBits(String key, NDArray expected, NDArray actual) {
        assertEquals(expected.getDataType(), actual.getDataType(), key);
        assertEquals(expected.getShape(), actual.getShape(), key);
        assertArrayEquals(expected.toByteArray(), actual.toByteArray(), key);
    }
}
