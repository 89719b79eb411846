import pytest

from partyday_common.errors import DomainError
from partyday_common.pagination import page_bounds
from partyday_common.settings import DEVELOPMENT_SECRET, Settings


def test_pages_are_one_based():
    assert page_bounds(1, 50) == (0, 50)
    assert page_bounds(3, 20) == (40, 20)


@pytest.mark.parametrize(
    "page, size, code",
    [
        (0, 10, "PAGE_INVALID"),
        (1, 0, "PAGE_SIZE_INVALID"),
        (1, 501, "PAGE_SIZE_INVALID"),
        ("2", 10, "PAGE_INVALID"),
        (100_001, 10, "PAGE_INVALID"),
    ],
)
def test_bad_paging_is_a_client_error(page, size, code):
    with pytest.raises(DomainError) as raised:
        page_bounds(page, size)
    assert raised.value.code == code and raised.value.status == 400


def test_each_service_defaults_to_its_own_sqlite_file(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert settings.database_url("plans") == f"sqlite:///{tmp_path.resolve()}/plans.sqlite3"
    assert settings.database_url("plans") != settings.database_url("scoring")


def test_a_database_url_from_the_environment_wins(monkeypatch):
    monkeypatch.setenv("PARTYDAY_PLANS_DATABASE_URL", "postgresql://db/plans")
    assert Settings().database_url("plans") == "postgresql://db/plans"


def test_production_refuses_the_development_secret():
    with pytest.raises(RuntimeError, match="PARTYDAY_SECRET_KEY"):
        Settings(env="production", secret_key=DEVELOPMENT_SECRET).check_production_safety()
    with pytest.raises(RuntimeError, match="32 characters"):
        Settings(env="production", secret_key="too short").check_production_safety()
    Settings(
        env="production", secret_key="a real secret of some considerable length", amqp_uri="amqp://rabbitmq/"
    ).check_production_safety()
