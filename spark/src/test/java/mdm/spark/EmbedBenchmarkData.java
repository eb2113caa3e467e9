package mdm.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.conditioner.text.t5.TinyT5;
import mdm.core.config.Json;
import mdm.data.shapes.ShapesDataset;

/**
 * Writes what the README's caption-embedding timing uses: a random T5 of flan-t5-small's shape (d_model 512,
 * 8 layers, 6 heads of 64, gated-GELU d_ff 1024, 32,128 ids; the real weights are not here, and the time does not
 * depend on their values) under {@code <folder>/models/t5-small-random}, and a tsv-tar listing
 * {@code <folder>/data/index.tsv} of {@code shards} shard TSVs of {@code rows} shapes captions each (the full
 * caption grammar, a quarter with two shapes, as samples/shapes-text-full.yaml; no images: the job reads captions
 * only). Usage: {@code EmbedBenchmarkData <folder> <shards> <rows>}.
 */
public final class EmbedBenchmarkData {
    private EmbedBenchmarkData() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[0]);
        int shards = Integer.parseInt(args[1]);
        int rows = Integer.parseInt(args[2]);
        new TinyT5("gated-gelu", 1, 32128, 512, 64, 6, 1024, 8).write(folder.resolve("models/t5-small-random"), false);
        Path data = Files.createDirectories(folder.resolve("data/shards"));
        StringBuilder index = new StringBuilder("filename\n");
        try (SampleStream captions = new ShapesDataset().open(Json.parseOptions("{image_size: 32, two_shape_fraction: 0.25}"),
                0, StreamPosition.START)) {
            for (int s = 0; s < shards; s++) {
                StringBuilder tsv = new StringBuilder("tar\tfile\tcaption\n");
                for (int r = 0; r < rows; r++) {
                    tsv.append("images_").append(s).append(".tar\t").append(r).append(".png\t")
                            .append(captions.next().caption()).append('\n');
                }
                String name = String.format("shard_%05d.tsv", s);
                Files.writeString(data.resolve(name), tsv);
                index.append("shards/").append(name).append('\n');
            }
        }
        Files.writeString(folder.resolve("data/index.tsv"), index);
        System.out.println("wrote " + shards + " × " + rows + " captions and a random flan-t5-small-shaped T5 under " + folder);
    }
}
