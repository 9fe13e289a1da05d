"""The embeddable chat widget (loader script, iframe chat page); it arrives with the widget
issue."""
