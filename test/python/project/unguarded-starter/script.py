import tasks
from tasks import run_all

results = run_all(range(10))
print(tasks.run_all([1]))

if __name__ == "__main__":
    print(run_all(range(3)))
