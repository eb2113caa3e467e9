package mdm.conditioner.text;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The reference's segmentation: mlx-data {@code Tokenizer.tokenize_shortest} with
 * {@code ignore_unk=True} and the vocabulary's costs. It builds the word graph of every way the
 * input bytes split into pieces, then takes the cheapest path (total −log-prob).
 *
 * <p>Reproduced exactly, including the parts that make it differ from a plain Viterbi:
 * <ul>
 *   <li>Bytes no hypothesis can consume are skipped, and so is every byte since the last place a
 *       piece ended: the reference abandons all partial matches and restarts from the latest
 *       word boundary. Nothing is emitted for them (no {@code <unk>}).</li>
 *   <li>The graph is pruned to the part that reaches the final node and renumbered backwards, and
 *       the search is Dijkstra with a binary heap that behaves like libstdc++'s
 *       {@code std::priority_queue}; equal-cost segmentations are therefore resolved the same way.</li>
 * </ul>
 */
final class ShortestSegmenter {
    private final Vocabulary vocabulary;
    private final ByteTrie trie;

    ShortestSegmenter(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
        this.trie = vocabulary.trie();
    }

    /** Token ids of the cheapest segmentation of {@code input} (UTF-8 bytes). */
    int[] segment(byte[] input) {
        return segmentation(input).ids();
    }

    /**
     * The segmentation and which input bytes it skipped.
     *
     * @param ids     token ids
     * @param dropped per input byte: whether no token covers it
     */
    record Segmentation(int[] ids, boolean[] dropped) {
    }

    Segmentation segmentation(byte[] input) {
        Lattice graph = new Lattice();
        boolean[] dropped = new boolean[input.length];
        int finalNode = build(input, graph, dropped);
        int[] renumbered = new int[graph.nodes()];
        Lattice pruned = graph.reachingTo(finalNode, renumbered);
        return new Segmentation(shortestPath(pruned, renumbered[0], renumbered[finalNode]), dropped);
    }

    /** A partial or complete match: where it stands in the trie, the graph node it started from, the token it ended. */
    private record Hyp(int trieNode, int wordNode, int token) {
    }

    /** Builds the word graph; returns its final node and marks the bytes it had to skip. */
    private int build(byte[] input, Lattice graph, boolean[] dropped) {
        Hyp lastWord = new Hyp(ByteTrie.ROOT, graph.addNode(), -1);
        int lastWordEnd = 0;
        Deque<Hyp> hyps = new ArrayDeque<>();
        hyps.add(lastWord);
        for (int t = 0; t < input.length; t++) {
            byte b = input[t];
            Deque<Hyp> next = new ArrayDeque<>();
            for (Hyp hyp : hyps) {
                int child = trie.child(hyp.trieNode(), b);
                if (child < 0) {
                    continue;
                }
                if (trie.id(child) >= 0) {
                    next.addFirst(new Hyp(ByteTrie.ROOT, hyp.wordNode(), trie.id(child)));
                }
                if (trie.hasChildren(child)) {
                    next.addLast(new Hyp(child, hyp.wordNode(), -1));
                }
            }
            if (next.isEmpty()) {
                // no piece continues: forget every partial match, resume after the latest word
                Arrays.fill(dropped, lastWordEnd, t + 1, true);
                hyps = new ArrayDeque<>();
                hyps.add(lastWord);
                continue;
            }
            if (next.peekFirst().trieNode() == ByteTrie.ROOT) {
                int word = graph.addNode();
                while (!next.isEmpty() && next.peekFirst().trieNode() == ByteTrie.ROOT) {
                    Hyp done = next.pollFirst();
                    graph.addEdge(done.wordNode(), word, done.token());
                }
                lastWord = new Hyp(ByteTrie.ROOT, word, -1);
                lastWordEnd = t + 1;
                next.addFirst(lastWord);
            }
            hyps = next;
        }
        if (hyps.peekFirst().trieNode() == ByteTrie.ROOT) {
            return hyps.peekFirst().wordNode();
        }
        // the input ends inside a partial match: the reference ends at the latest word
        Arrays.fill(dropped, lastWordEnd, input.length, true);
        return lastWord.wordNode();
    }

    private int[] shortestPath(Lattice g, int start, int end) {
        int n = g.nodes();
        double[] dist = new double[n];
        int[] viaEdge = new int[n];
        int[] viaNode = new int[n];
        Arrays.fill(dist, Double.MAX_VALUE);
        Arrays.fill(viaEdge, -1);
        Arrays.fill(viaNode, 0);
        dist[start] = 0.0;
        viaNode[start] = -1;
        MinHeap queue = new MinHeap();
        queue.push(start, 0.0);
        while (!queue.isEmpty()) {
            int u = queue.pop();
            Lattice.IntList edges = g.outgoing(u);
            for (int i = 0; i < edges.size(); i++) {
                int edge = edges.get(i);
                int v = g.to(edge);
                double d = dist[u] + vocabulary.cost(g.label(edge));
                if (dist[v] > d) {
                    dist[v] = d;
                    viaNode[v] = u;
                    viaEdge[v] = edge;
                    queue.push(v, d);
                }
            }
        }
        if (!(dist[end] < Double.MAX_VALUE)) {
            return new int[0];
        }
        Lattice.IntList reversed = new Lattice.IntList();
        for (int node = end; node >= 0; node = viaNode[node]) {
            if (viaEdge[node] >= 0) {
                reversed.add(g.label(viaEdge[node]));
            }
        }
        int[] tokens = new int[reversed.size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = reversed.get(tokens.length - 1 - i);
        }
        return tokens;
    }

    /**
     * A binary min-heap on distance that moves elements exactly as libstdc++'s push_heap/pop_heap
     * do (hole sifted down to a leaf, then up), so entries of equal distance leave in the same order.
     */
    static final class MinHeap {
        private int[] nodes = new int[16];
        private double[] keys = new double[16];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        void push(int node, double key) {
            if (size == nodes.length) {
                nodes = Arrays.copyOf(nodes, size * 2);
                keys = Arrays.copyOf(keys, size * 2);
            }
            size++;
            siftUp(size - 1, 0, node, key);
        }

        int pop() {
            int top = nodes[0];
            if (size > 1) {
                int lastNode = nodes[size - 1];
                double lastKey = keys[size - 1];
                nodes[size - 1] = nodes[0];
                keys[size - 1] = keys[0];
                adjust(size - 1, lastNode, lastKey);
            }
            size--;
            return top;
        }

        /** libstdc++ __push_heap: move parents down while they are strictly farther than the value. */
        private void siftUp(int hole, int top, int node, double key) {
            int parent = (hole - 1) / 2;
            while (hole > top && keys[parent] > key) {
                nodes[hole] = nodes[parent];
                keys[hole] = keys[parent];
                hole = parent;
                parent = (hole - 1) / 2;
            }
            nodes[hole] = node;
            keys[hole] = key;
        }

        /** libstdc++ __adjust_heap on the first {@code len} slots with the hole at the root. */
        private void adjust(int len, int node, double key) {
            int hole = 0;
            int child = 0;
            while (child < (len - 1) / 2) {
                child = 2 * (child + 1);
                if (keys[child] > keys[child - 1]) {
                    child--;
                }
                nodes[hole] = nodes[child];
                keys[hole] = keys[child];
                hole = child;
            }
            if ((len & 1) == 0 && child == (len - 2) / 2) {
                child = 2 * (child + 1);
                nodes[hole] = nodes[child - 1];
                keys[hole] = keys[child - 1];
                hole = child - 1;
            }
            siftUp(hole, 0, node, key);
        }
    }
}
