"""Rolling windows of the person graph, team aggregates, pairs, the directory
and network indices (E-I, modularity, reciprocity)."""
