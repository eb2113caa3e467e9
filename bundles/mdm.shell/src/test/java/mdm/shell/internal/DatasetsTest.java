package mdm.shell.internal;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import mdm.api.MdmException;
import mdm.api.Options;
import mdm.api.data.DatasetInfo;
import mdm.api.data.DatasetProvider;
import mdm.api.data.SampleStream;
import mdm.api.data.StreamPosition;
import org.junit.jupiter.api.Test;

/** mdm:preview's dataset lookup: by name among bound services, never a registry filter built from user input. */
class DatasetsTest {
    private static DatasetProvider provider() {
        return new DatasetProvider() {
            @Override
            public DatasetInfo describe(Options options) {
                throw new UnsupportedOperationException();
            }

            @Override
            public SampleStream open(Options options, long seed, StreamPosition start) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void highestRankingWinsAndUnbindingForgets() {
        Datasets d = new Datasets();
        DatasetProvider builtIn = provider();
        DatasetProvider override = provider();
        d.add(builtIn, Map.of("mdm.name", "shapes", "service.id", 5L));
        d.add(override, Map.of("mdm.name", "shapes", "service.id", 9L, "service.ranking", 10));
        assertSame(override, d.get("shapes"));
        d.remove(override);
        assertSame(builtIn, d.get("shapes"));
    }

    @Test
    void filterSyntaxInANameIsJustAnUnknownName() {
        Datasets d = new Datasets();
        d.add(provider(), Map.of("mdm.name", "shapes", "service.id", 1L));
        MdmException injected = assertThrows(MdmException.class, () -> d.get("*)(mdm.name=shapes"));
        assertTrue(injected.getMessage().startsWith("no dataset named '*)(mdm.name=shapes'"), injected.getMessage());
        MdmException typo = assertThrows(MdmException.class, () -> d.get("shape"));
        assertTrue(typo.getMessage().contains("did you mean 'shapes'?"), typo.getMessage());
        MdmException empty = assertThrows(MdmException.class, () -> d.get(" "));
        assertTrue(empty.getMessage().contains("give a dataset name"), empty.getMessage());
        assertThrows(MdmException.class, () -> new Datasets().get("shapes"));
    }
}
