package mdm.conditioner.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A word graph: nodes are positions between tokens, each edge carries a token id. Node and edge
 * numbering and the order of each node's edge lists are kept exactly as inserted, because the
 * shortest-path search breaks ties by that order (as mlx-data's {@code Graph} does).
 */
final class Lattice {
    private final List<IntList> in = new ArrayList<>();
    private final List<IntList> out = new ArrayList<>();
    private final IntList from = new IntList();
    private final IntList to = new IntList();
    private final IntList label = new IntList();

    int addNode() {
        in.add(new IntList());
        out.add(new IntList());
        return in.size() - 1;
    }

    int addEdge(int inode, int onode, int token) {
        int id = label.size();
        from.add(inode);
        to.add(onode);
        label.add(token);
        out.get(inode).add(id);
        in.get(onode).add(id);
        return id;
    }

    int nodes() {
        return in.size();
    }

    IntList incoming(int node) {
        return in.get(node);
    }

    IntList outgoing(int node) {
        return out.get(node);
    }

    int from(int edge) {
        return from.get(edge);
    }

    int to(int edge) {
        return to.get(edge);
    }

    int label(int edge) {
        return label.get(edge);
    }

    /**
     * The part of the graph that reaches {@code finalNode}, renumbered in the order of a
     * breadth-first walk backwards from it (mlx-data's "keep only reachable tokens" step).
     *
     * @return the pruned graph; {@code ids[old]} is a node's new number, or −1 if dropped
     */
    Lattice reachingTo(int finalNode, int[] ids) {
        java.util.Arrays.fill(ids, -1);
        Lattice pruned = new Lattice();
        boolean[] visited = new boolean[nodes()];
        IntList frontier = new IntList();
        frontier.add(finalNode);
        while (frontier.size() > 0) {
            IntList next = new IntList();
            for (int i = 0; i < frontier.size(); i++) {
                int node = frontier.get(i);
                if (visited[node]) {
                    continue;
                }
                visited[node] = true;
                if (ids[node] < 0) {
                    ids[node] = pruned.addNode();
                }
                IntList edges = incoming(node);
                for (int e = 0; e < edges.size(); e++) {
                    int edge = edges.get(e);
                    int source = from(edge);
                    if (ids[source] < 0) {
                        ids[source] = pruned.addNode();
                    }
                    pruned.addEdge(ids[source], ids[node], label(edge));
                    next.add(source);
                }
            }
            frontier = next;
        }
        return pruned;
    }

    /** A growable int array. */
    static final class IntList {
        private int[] values = new int[4];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }
}
