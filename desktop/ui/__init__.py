"""What draws: the panel window, its tree model and view, and the dialogs."""
