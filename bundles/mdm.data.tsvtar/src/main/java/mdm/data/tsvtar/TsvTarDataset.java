package mdm.data.tsvtar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mdm.api.Options;
import mdm.api.Components;
import mdm.api.MdmException;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.Sample;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import mdm.core.config.Json;
import mdm.core.data.DataStream;
import mdm.core.data.SampleSource;
import mdm.core.image.FloatImage;
import mdm.core.image.ImageCodec;
import mdm.core.image.Resize;
import mdm.core.random.HostRandom;
import org.osgi.service.component.annotations.Component;

/**
 * Captioned images in the ml-mdm reader format (§5.5): TSV rows name a tar shard, a member and a
 * caption; images are decoded as RGB, the shorter side resized to {@code image_size}, then centre
 * cropped. The raw caption is passed on (the text conditioner adds the reference's spaces and
 * end-of-sequence). A damaged tar, a missing member, an undecodable image or an empty caption is an
 * error naming the shard and entry, skipped or fatal as {@code loader.on_error} says.
 *
 * <p>A shard TSV with a caption-embedding sidecar ({@link CaptionEmbeddingSidecar}, written by the Spark job
 * {@code mdm.spark.EmbedMain}) gives its samples their caption's precomputed embedding
 * ({@link Sample#captionEmbedding()}); the conditioner uses it when it made it and refuses it otherwise. The
 * sidecars are checked against their shards when the data set is opened (rows, captions, tensors, one origin
 * for all), read a row at a time while loading.
 */
@Component(service = DatasetProvider.class,
        property = {Components.NAME + "=" + TsvTarDataset.NAME, Components.KIND + "=" + Components.DATASET})
public final class TsvTarDataset implements DatasetProvider {
    public static final String NAME = "tsv-tar";

    private final Map<Path, List<ShardEntry>> listed = new ConcurrentHashMap<>();

    public static TsvTarOptions options(Options node) {
        return Json.bind(node, TsvTarOptions.class, "tsv-tar options");
    }

    private List<ShardEntry> entries(TsvTarOptions o) {
        return listed.computeIfAbsent(Path.of(o.path()).toAbsolutePath().normalize(), ShardList::read);
    }

    @Override
    public DatasetInfo describe(Options node) {
        TsvTarOptions o = options(node);
        return new DatasetInfo(NAME, o.imageSize(), 3, 1, List.of(), true, entries(o).size());
    }

    @Override
    public SampleStream open(Options node, long seed, StreamPosition start) {
        TsvTarOptions o = options(node);
        List<ShardEntry> entries = entries(o);
        return new DataStream(NAME, new Source(entries, o, sidecars(entries, o.embeddings())), o.loader(), seed, start);
    }

    /** Each shard TSV with its captions in row order (null for a row without one), in listing order. */
    public record CaptionShard(Path tsv, List<String> captions) {
    }

    /** The shards of a listing (a shard TSV or an index of them), for the caption-embedding job. */
    public static List<CaptionShard> captionShards(Path listing) {
        Map<Path, List<String>> byShard = new LinkedHashMap<>();
        for (ShardEntry e : ShardList.read(listing)) {
            byShard.computeIfAbsent(e.tsv(), t -> new ArrayList<>()).add(e.caption());
        }
        List<CaptionShard> out = new ArrayList<>();
        byShard.forEach((tsv, captions) -> out.add(new CaptionShard(tsv, Collections.unmodifiableList(captions))));
        return out;
    }

    /** The shards' sidecars by shard TSV, checked: each against its shard, all of one origin, all present if required. */
    static Map<Path, CaptionEmbeddingSidecar> sidecars(List<ShardEntry> entries, EmbeddingsMode mode) {
        Map<Path, CaptionEmbeddingSidecar> out = new LinkedHashMap<>();
        if (mode == EmbeddingsMode.IGNORE) {
            return out;
        }
        Map<Path, List<String>> captions = new LinkedHashMap<>();
        for (ShardEntry e : entries) {
            captions.computeIfAbsent(e.tsv(), t -> new ArrayList<>()).add(e.caption());
        }
        List<String> without = new ArrayList<>();
        CaptionEmbeddingSidecar first = null;
        for (Map.Entry<Path, List<String>> shard : captions.entrySet()) {
            if (!Files.isRegularFile(CaptionEmbeddingSidecar.of(shard.getKey()))) {
                without.add(shard.getKey().getFileName().toString());
                continue;
            }
            CaptionEmbeddingSidecar s = CaptionEmbeddingSidecar.open(shard.getKey(), shard.getValue());
            if (first != null && !first.origin().equals(s.origin())) {
                throw new MdmException("the caption-embedding sidecars disagree: " + first.file().getFileName() + " was made by "
                        + first.origin().describe() + ", " + s.file().getFileName() + " by " + s.origin().describe()
                        + "; re-run the caption-embedding job (mdm.spark.EmbedMain) for the whole data set with one conditioner.");
            }
            first = first == null ? s : first;
            out.put(shard.getKey(), s);
        }
        if (mode == EmbeddingsMode.REQUIRE && !without.isEmpty()) {
            throw new MdmException("tsv-tar option embeddings: require, but " + without.size() + " of " + captions.size()
                    + " shards have no caption-embedding sidecar (" + String.join(", ", without.subList(0, Math.min(5, without.size())))
                    + (without.size() > 5 ? ", …" : "") + "): run the caption-embedding job (mdm.spark.EmbedMain) on the data set, "
                    + "or set embeddings: auto.");
        }
        return out;
    }

    private static final class Source implements SampleSource {
        private final List<ShardEntry> entries;
        private final TsvTarOptions options;
        private final Map<Path, CaptionEmbeddingSidecar> sidecars;
        /** A tar's index, or the error that opening it gave (so every entry of it reports the same). */
        private final Map<Path, Object> archives = new ConcurrentHashMap<>();

        Source(List<ShardEntry> entries, TsvTarOptions options, Map<Path, CaptionEmbeddingSidecar> sidecars) {
            this.entries = entries;
            this.options = options;
            this.sidecars = sidecars;
        }

        @Override
        public long size() {
            return entries.size();
        }

        @Override
        public String describe(long entry) {
            return entries.get((int) entry).where();
        }

        @Override
        public Sample load(long index, HostRandom random) {
            ShardEntry e = entries.get((int) index);
            if (e.problem() != null) {
                throw new MdmException(e.where() + ": " + e.problem());
            }
            if (e.caption() == null || e.caption().isBlank()) {
                throw new MdmException("empty caption for " + e.where());
            }
            TarArchive tar = archive(e);
            byte[] bytes;
            try {
                bytes = tar.read(e.member());
            } catch (IOException x) {
                throw new MdmException("cannot read " + e.where() + " from " + e.tar() + ": " + x.getMessage(), x);
            }
            if (bytes == null) {
                throw new MdmException(tar.damage() != null
                        ? "cannot read " + e.where() + ": the tar " + e.tar() + " is damaged (" + tar.damage() + ") before this member"
                        : "missing image: " + e.where() + " is not in " + e.tar() + " (" + tar.size() + " members)");
            }
            FloatImage image = ImageCodec.decode(bytes, e.where());
            image = Resize.shorterSideAndCrop(image, options.imageSize(), options.crop(), random);
            CaptionEmbeddingSidecar sidecar = sidecars.get(e.tsv());
            return new Sample(image.data(), 1, 3, image.height(), image.width(), -1, e.caption(),
                    NAME + ":" + e.tarName() + "/" + e.member(), sidecar == null ? null : sidecar.row(e.row()));
        }

        private TarArchive archive(ShardEntry e) {
            Object a = archives.computeIfAbsent(e.tar(), p -> {
                try {
                    return TarArchive.index(p);
                } catch (IOException x) {
                    return new MdmException("cannot open shard tar " + p + ": " + x.getMessage(), x);
                }
            });
            if (a instanceof MdmException x) {
                throw new MdmException(e.where() + ": " + x.getMessage(), x);
            }
            return (TarArchive) a;
        }
    }
}
