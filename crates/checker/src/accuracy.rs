//! Accuracy on a labelled corpus (placeholder, filled below).
