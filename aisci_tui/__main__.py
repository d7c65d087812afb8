from aisci_tui.cli import main

main()
