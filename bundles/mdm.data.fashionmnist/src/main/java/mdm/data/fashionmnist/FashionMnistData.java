package mdm.data.fashionmnist;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mdm.api.MdmException;

/** One split held in memory: 28×28 bytes per image (0 = black background) and a label byte each. */
final class FashionMnistData {
    static final int SIDE = 28;
    static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    static final String INSTALL = "Install it with 'apt-get install dataset-fashion-mnist' (Debian/Ubuntu), "
            + "or set the option path to a folder holding the four idx files (plain or .gz).";

    final byte[] images;
    final byte[] labels;
    final int count;

    private FashionMnistData(byte[] images, byte[] labels, int count) {
        this.images = images;
        this.labels = labels;
        this.count = count;
    }

    /** The image and label files of a split, checked to exist. */
    static Path[] files(FashionMnistOptions options) {
        Path folder = Path.of(options.path());
        String prefix = options.split().prefix();
        if (!Files.isDirectory(folder)) {
            throw new MdmException("Fashion-MNIST not found: folder " + folder.toAbsolutePath() + " does not exist. " + INSTALL);
        }
        Path images = IdxFile.locate(folder, prefix + "-images-idx3-ubyte");
        Path labels = IdxFile.locate(folder, prefix + "-labels-idx1-ubyte");
        if (images == null || labels == null) {
            throw new MdmException("Fashion-MNIST not found: " + folder.toAbsolutePath() + " has no "
                    + (images == null ? prefix + "-images-idx3-ubyte(.gz)" : prefix + "-labels-idx1-ubyte(.gz)") + ". " + INSTALL);
        }
        return new Path[] {images, labels};
    }

    /** Number of samples, from the headers alone (checks that images and labels agree). */
    static int count(FashionMnistOptions options) {
        Path[] f = files(options);
        int[] image = IdxFile.header(f[0]);
        int[] label = IdxFile.header(f[1]);
        check(f, image, label);
        return image[0];
    }

    static FashionMnistData load(FashionMnistOptions options) {
        Path[] f = files(options);
        IdxFile images = IdxFile.read(f[0]);
        IdxFile labels = IdxFile.read(f[1]);
        check(f, images.dims, labels.dims);
        for (int i = 0; i < labels.data.length; i++) {
            if (labels.data[i] < 0 || labels.data[i] >= CLASS_NAMES.size()) {
                throw new MdmException(f[1] + ": label " + labels.data[i] + " of sample " + i + " is not 0..9");
            }
        }
        return new FashionMnistData(images.data, labels.data, images.dims[0]);
    }

    private static void check(Path[] f, int[] image, int[] label) {
        if (image.length != 3 || image[1] != SIDE || image[2] != SIDE) {
            throw new MdmException(f[0] + " does not hold 28×28 images");
        }
        if (label.length != 1 || label[0] != image[0]) {
            throw new MdmException(f[1] + " has " + (label.length == 1 ? label[0] : -1) + " labels for " + image[0] + " images in " + f[0]);
        }
    }
}
