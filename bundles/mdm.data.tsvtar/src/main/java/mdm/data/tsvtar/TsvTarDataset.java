package mdm.data.tsvtar;

import java.io.IOException;
import java.nio.file.Path;
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
        return new DataStream(NAME, new Source(entries(o), o), o.loader(), seed, start);
    }

    private static final class Source implements SampleSource {
        private final List<ShardEntry> entries;
        private final TsvTarOptions options;
        /** A tar's index, or the error that opening it gave (so every entry of it reports the same). */
        private final Map<Path, Object> archives = new ConcurrentHashMap<>();

        Source(List<ShardEntry> entries, TsvTarOptions options) {
            this.entries = entries;
            this.options = options;
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
            return new Sample(image.data(), 1, 3, image.height(), image.width(), -1, e.caption(),
                    NAME + ":" + e.tarName() + "/" + e.member());
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
