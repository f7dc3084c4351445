"""How purchasing reacts to the orders' life (connected in ProcurementConfig.ready)."""


def connect() -> None:
    pass
