package mdm.conditioner.text;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A trie over the UTF-8 bytes of the pieces, like the reference's {@code CharTrie} (a C++
 * {@code Trie<char>}): node 0 is the root, a node accepts when a piece ends there.
 */
final class ByteTrie {
    static final int ROOT = 0;

    private final Map<Integer, Integer> children = new HashMap<>();
    private int[] ids = {-1};
    private int[] childCount = {0};
    private int nodes = 1;

    /** Adds a piece with its id; false if the piece is already present. */
    boolean insert(byte[] piece, int id) {
        int node = ROOT;
        for (byte b : piece) {
            int next = child(node, b);
            if (next < 0) {
                next = newNode();
                children.put(key(node, b), next);
                childCount[node]++;
            }
            node = next;
        }
        if (ids[node] >= 0) {
            return false;
        }
        ids[node] = id;
        return true;
    }

    /** The child reached from {@code node} by byte {@code b}, or −1. */
    int child(int node, byte b) {
        Integer next = children.get(key(node, b));
        return next == null ? -1 : next;
    }

    /** The id of the piece ending at {@code node}, or −1 if none does. */
    int id(int node) {
        return ids[node];
    }

    boolean hasChildren(int node) {
        return childCount[node] > 0;
    }

    /** The id of a whole piece, or −1. */
    int find(byte[] piece) {
        int node = ROOT;
        for (byte b : piece) {
            node = child(node, b);
            if (node < 0) {
                return -1;
            }
        }
        return ids[node];
    }

    private int newNode() {
        if (nodes == ids.length) {
            ids = Arrays.copyOf(ids, nodes * 2);
            childCount = Arrays.copyOf(childCount, nodes * 2);
        }
        ids[nodes] = -1;
        return nodes++;
    }

    private static int key(int node, byte b) {
        return (node << 8) | (b & 0xff);
    }
}
