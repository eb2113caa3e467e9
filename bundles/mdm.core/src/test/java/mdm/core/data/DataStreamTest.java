package mdm.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mdm.api.MdmException;
import mdm.api.data.Sample;
import mdm.api.data.StreamPosition;
import mdm.core.random.HostRandom;
import org.junit.jupiter.api.Test;

class DataStreamTest {
    /** Entries 0..n-1; the pixel carries a draw from the entry's random stream, to check it is per entry. */
    record Numbers(long size, Set<Long> bad) implements SampleSource {
        @Override
        public Sample load(long entry, HostRandom random) throws Exception {
            if (bad.contains(entry)) {
                throw new MdmException("entry " + entry + " is broken");
            }
            Thread.sleep(entry % 3); // finish out of order on a pool
            return new Sample(new float[] {(float) random.nextDouble()}, 1, 1, 1, 1, (int) (entry % 5), null, "n" + entry);
        }
    }

    private static List<String> take(DataStream s, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Sample x = s.next();
            out.add(x.id() + ":" + x.pixels()[0]);
        }
        return out;
    }

    private static LoaderOptions loader(int workers, ErrorPolicy policy) {
        return new LoaderOptions(workers, 8, true, policy);
    }

    @Test
    void sameSeedSameSamplesWhateverTheNumberOfWorkers() {
        var source = new Numbers(10, Set.of());
        try (var a = new DataStream("t", source, loader(0, null), 7, StreamPosition.START);
             var b = new DataStream("t", source, loader(3, null), 7, StreamPosition.START);
             var c = new DataStream("t", source, loader(3, null), 8, StreamPosition.START)) {
            List<String> ta = take(a, 35);
            assertEquals(ta, take(b, 35));
            assertNotEquals(ta, take(c, 35));
        }
    }

    @Test
    void everyEpochIsAFreshPermutation() {
        try (var s = new DataStream("t", new Numbers(10, Set.of()), loader(2, null), 1, StreamPosition.START)) {
            List<String> e0 = new ArrayList<>();
            List<String> e1 = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                e0.add(s.next().id());
            }
            assertEquals(new StreamPosition(1, 0), s.position());
            for (int i = 0; i < 10; i++) {
                e1.add(s.next().id());
            }
            assertEquals(10, new HashSet<>(e0).size());
            assertEquals(new HashSet<>(e0), new HashSet<>(e1));
            assertNotEquals(e0, e1);
        }
    }

    @Test
    void unshuffledStreamsKeepFileOrder() {
        try (var s = new DataStream("t", new Numbers(4, Set.of()), new LoaderOptions(1, 2, false, null), 1, StreamPosition.START)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                ids.add(s.next().id());
            }
            assertEquals(List.of("n0", "n1", "n2", "n3", "n0", "n1"), ids);
        }
    }

    @Test
    void resumedStreamContinuesExactly() {
        var source = new Numbers(10, Set.of(4L));
        List<String> whole;
        try (var s = new DataStream("t", source, loader(2, null), 3, StreamPosition.START)) {
            whole = take(s, 40);
        }
        StreamPosition saved;
        List<String> firstPart;
        try (var s = new DataStream("t", source, loader(2, null), 3, StreamPosition.START)) {
            firstPart = take(s, 13);
            saved = s.position();
        }
        try (var resumed = new DataStream("t", source, loader(0, null), 3, saved)) {
            List<String> joined = new ArrayList<>(firstPart);
            joined.addAll(take(resumed, 27));
            assertEquals(whole, joined);
        }
    }

    @Test
    void badEntriesAreSkippedAndCounted() {
        try (var s = new DataStream("t", new Numbers(6, Set.of(2L, 5L)), loader(2, ErrorPolicy.SKIP), 1, StreamPosition.START)) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                seen.add(s.next().id());
            }
            assertEquals(Set.of("n0", "n1", "n3", "n4"), seen);
            assertEquals(4, s.skipped());
            assertTrue(s.problems().get(0).contains("is broken"), s.problems().toString());
        }
    }

    /** Running out of memory while loading is no fault of an entry: it ends the stream, nothing is skipped. */
    @Test
    void outOfMemoryIsNotTakenForBrokenData() {
        SampleSource starving = new SampleSource() {
            @Override
            public long size() {
                return 10;
            }

            @Override
            public Sample load(long entry, HostRandom random) {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        for (int workers : new int[] {0, 2}) {
            try (var s = new DataStream("t", starving, loader(workers, ErrorPolicy.SKIP), 1, StreamPosition.START)) {
                OutOfMemoryError e = assertThrows(OutOfMemoryError.class, s::next);
                assertEquals("Java heap space", e.getMessage());
                assertEquals(0, s.skipped());
            }
        }
    }

    @Test
    void badEntryStopsTheStreamWhenConfigured() {
        try (var s = new DataStream("t", new Numbers(6, Set.of(2L)), new LoaderOptions(2, 4, false, ErrorPolicy.STOP), 1, StreamPosition.START)) {
            s.next();
            s.next();
            MdmException e = assertThrows(MdmException.class, s::next);
            assertTrue(e.getMessage().contains("entry 2 is broken") && e.getMessage().contains("on_error"), e.getMessage());
            assertEquals(new StreamPosition(0, 3), s.position());
            assertEquals("n3", s.next().id());
        }
    }

    @Test
    void allEntriesBadIsAnErrorNotALoop() {
        try (var s = new DataStream("t", new Numbers(3, Set.of(0L, 1L, 2L)), loader(1, ErrorPolicy.SKIP), 1, StreamPosition.START)) {
            MdmException e = assertThrows(MdmException.class, s::next);
            assertTrue(e.getMessage().contains("all failed"), e.getMessage());
        }
    }

    @Test
    void endlessGeneratorsCountIndicesInEpochZero() {
        var source = new Numbers(-1, Set.of());
        try (var s = new DataStream("t", source, loader(2, null), 1, new StreamPosition(0, 100))) {
            assertEquals("n100", s.next().id());
            assertEquals(new StreamPosition(0, 101), s.position());
        }
        assertThrows(MdmException.class, () -> new DataStream("t", source, loader(0, null), 1, new StreamPosition(2, 0)));
    }

    @Test
    void positionPastTheEndIsAnError() {
        MdmException e = assertThrows(MdmException.class,
                () -> new DataStream("t", new Numbers(5, Set.of()), loader(0, null), 1, new StreamPosition(0, 9)));
        assertTrue(e.getMessage().contains("past the end"), e.getMessage());
    }
}
